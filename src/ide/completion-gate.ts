import * as vscode from "vscode";
import { completionEnabledFor, completionRefusedIn } from "../completion/completion-pipeline";
import type { Engine } from "../engine/engine-api";
import { retriesOnNextRequest } from "../engine/protocol";
import { Emitter } from "../common/event";
import { CONFIG_SECTION, readConfig } from "./config";

const SNOOZE_KEY = "hearth.completion.snoozedUntil";

/**
 * Whether inline completion may run for a document now: the setting, its per-language overrides, a snooze, and a
 * model that can do fill-in-the-middle. Cheap: it runs on every keystroke.
 */
export class CompletionGate implements vscode.Disposable {
  private readonly changeEmitter = new Emitter<void>();
  readonly onDidChange = this.changeEmitter.event;
  private snoozeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly state: vscode.Memento,
    private readonly engine: Engine,
  ) {
    this.armSnoozeTimer();
  }

  /** `path`: the document's file name; a secrets file gets no completion whatever its language's setting. */
  allows(languageId: string, path: string): boolean {
    if (this.snoozedUntil() > Date.now()) return false;
    if (!this.enabledFor(languageId)) return false;
    if (completionRefusedIn(path)) return false;
    const status = this.engine.status;
    if (status.kind === "no-model") return false;
    // A model that failed to load stays failed until the settings change or the user retries: no load per keystroke.
    if (status.kind === "error" && !retriesOnNextRequest(status.error)) return false;
    if (status.kind === "ready" && !status.model.fimSupported) return false;
    return true;
  }

  enabledFor(languageId: string): boolean {
    return completionEnabledFor(readConfig(), languageId);
  }

  async setEnabledFor(languageId: string, enabled: boolean): Promise<void> {
    const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
    const languages = { ...readConfig().completion.languages, [languageId]: enabled };
    await config.update("completion.languages", languages, vscode.ConfigurationTarget.Global);
    this.changeEmitter.fire();
  }

  snoozedUntil(): number {
    return this.state.get<number>(SNOOZE_KEY, 0);
  }

  async snooze(minutes: number): Promise<void> {
    await this.state.update(SNOOZE_KEY, minutes > 0 ? Date.now() + minutes * 60_000 : 0);
    this.armSnoozeTimer();
    this.changeEmitter.fire();
  }

  private armSnoozeTimer(): void {
    clearTimeout(this.snoozeTimer);
    const left = this.snoozedUntil() - Date.now();
    if (left > 0) this.snoozeTimer = setTimeout(() => this.changeEmitter.fire(), left + 50);
  }

  dispose(): void {
    clearTimeout(this.snoozeTimer);
    this.changeEmitter.dispose();
  }
}
