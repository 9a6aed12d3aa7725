import * as vscode from "vscode";
import type { Disposable } from "../common/disposable";
import type { EngineStatus } from "../engine/client";
import type { Engine } from "../engine/engine-api";
import { COMMANDS } from "./command-ids";
import { describeStatus, STARTING_VIEW, type CompletionStatus, type StatusView } from "./status-text";

/**
 * Shows the engine's real state and whether completion is on; a click opens Hearth's menu. It is created first thing
 * in activation, saying "starting…", so Hearth is visible at once; `follow` then ties it to the engine, whose first
 * state (no model, idle, loading …) replaces that.
 */
export class HearthStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private subscription: Disposable | undefined;
  private engine: Engine | undefined;
  /** Whether the engine has reported a state: until then the item says "starting…". */
  private started = false;
  private modelConfigured: boolean | undefined;
  private completion: CompletionStatus = { snoozedUntil: 0, disabledLanguage: null, last: null };
  /** The texts the item has shown, oldest first (the first few dozen: the tests read how it started). */
  readonly shown: string[] = [];

  constructor() {
    this.item = vscode.window.createStatusBarItem("hearth.status", vscode.StatusBarAlignment.Right, 100);
    this.item.name = "Hearth";
    this.item.command = COMMANDS.showStatusMenu;
    this.show(STARTING_VIEW);
    this.item.show();
  }

  /**
   * Shows `engine`'s state from its first status event on. The engine's state before that is the client's placeholder
   * ("no model configured" until the settings are checked), which would flash a warning while nothing is wrong.
   */
  follow(engine: Engine): void {
    this.subscription?.dispose();
    this.engine = engine;
    this.subscription = engine.onDidChangeStatus((status) => {
      this.started = true;
      this.render(status);
    });
  }

  updateCompletion(change: Partial<CompletionStatus>): void {
    this.completion = { ...this.completion, ...change };
    if (this.started && this.engine) this.render(this.engine.status);
  }

  get text(): string {
    return this.item.text;
  }

  get tooltip(): string {
    const tooltip = this.item.tooltip;
    return typeof tooltip === "string" ? tooltip : (tooltip?.value ?? "");
  }

  private render(status: EngineStatus): void {
    this.show(describeStatus(status, this.completion, this.engine?.target));
    // The walkthrough's "Pick a model" step counts as done once a model is set (`npm start` sets one).
    const configured = status.kind !== "no-model" || status.problem.code !== "not-configured";
    if (configured !== this.modelConfigured) {
      this.modelConfigured = configured;
      void vscode.commands.executeCommand("setContext", "hearth.modelConfigured", configured);
    }
  }

  private show(view: StatusView): void {
    if (this.shown.length < 50 && this.shown[this.shown.length - 1] !== view.text) this.shown.push(view.text);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.backgroundColor = view.severity === "error" ? new vscode.ThemeColor("statusBarItem.errorBackground") : view.severity === "warning" ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
    this.item.accessibilityInformation = { label: view.tooltip.split("\n")[0] ?? view.text, role: "button" };
  }

  dispose(): void {
    this.subscription?.dispose();
    this.item.dispose();
  }
}
