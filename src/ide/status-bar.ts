import { basename } from "node:path";
import * as vscode from "vscode";
import type { EngineClient, EngineStatus } from "../engine/client";
import { COMMANDS } from "./command-ids";

/** What the status bar adds to the engine's state: the completion switches and the last suggestion's figures. */
export interface CompletionStatus {
  snoozedUntil: number;
  /** The active editor's language when completion is off for it. */
  disabledLanguage: string | null;
  last: { latencyMs: number; tokensPerSecond: number | null; source: string } | null;
}

/** Shows the engine's real state and whether completion is on; a click opens Hearth's menu. */
export class HearthStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscription: { dispose(): void };
  private completion: CompletionStatus = { snoozedUntil: 0, disabledLanguage: null, last: null };

  constructor(private readonly engine: EngineClient) {
    this.item = vscode.window.createStatusBarItem("hearth.status", vscode.StatusBarAlignment.Right, 100);
    this.item.name = "Hearth";
    this.item.command = COMMANDS.showStatusMenu;
    this.render(engine.status);
    this.subscription = engine.onDidChangeStatus((status) => this.render(status));
    this.item.show();
  }

  updateCompletion(change: Partial<CompletionStatus>): void {
    this.completion = { ...this.completion, ...change };
    this.render(this.engine.status);
  }

  get text(): string {
    return this.item.text;
  }

  get tooltip(): string {
    const tooltip = this.item.tooltip;
    return typeof tooltip === "string" ? tooltip : (tooltip?.value ?? "");
  }

  private render(status: EngineStatus): void {
    const view = describeStatus(status, this.completion);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.backgroundColor = view.severity === "error" ? new vscode.ThemeColor("statusBarItem.errorBackground") : view.severity === "warning" ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
    this.item.accessibilityInformation = { label: view.tooltip.split("\n")[0] ?? view.text, role: "button" };
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}

export interface StatusView {
  text: string;
  tooltip: string;
  severity: "ok" | "warning" | "error";
}

export function describeStatus(status: EngineStatus, completion?: CompletionStatus): StatusView {
  const view = describeEngine(status);
  if (!completion || status.kind === "no-model" || status.kind === "error") return view;
  const notes: string[] = [];
  let text = view.text;
  if (completion.snoozedUntil > Date.now()) {
    text = "$(bell-slash) Hearth: snoozed";
    notes.push(`Completions snoozed until ${new Date(completion.snoozedUntil).toLocaleTimeString()}.`);
  } else if (completion.disabledLanguage) {
    text = "$(circle-slash) Hearth";
    notes.push(`Completions are off for ${completion.disabledLanguage}.`);
  }
  if (completion.last) {
    const speed = completion.last.tokensPerSecond ? `, ${completion.last.tokensPerSecond.toFixed(0)} tokens/s` : "";
    notes.push(`Last suggestion: ${Math.round(completion.last.latencyMs)} ms (${completion.last.source}${speed}).`);
  }
  return { ...view, text, tooltip: [view.tooltip, ...notes].join("\n") };
}

function describeEngine(status: EngineStatus): StatusView {
  switch (status.kind) {
    case "no-model":
      return status.problem.code === "not-configured"
        ? { text: "$(circle-slash) Hearth: no model", tooltip: "Hearth: no model configured.\nClick to choose a GGUF model file.", severity: "warning" }
        : { text: "$(warning) Hearth: model not usable", tooltip: `Hearth: ${status.problem.message}\nClick to choose another model.`, severity: "warning" };
    case "idle":
      return { text: "$(flame) Hearth", tooltip: `Hearth: ${basename(status.modelPath)} — loads on first use.`, severity: "ok" };
    case "loading":
      return {
        text: `$(sync~spin) Hearth: loading ${Math.round(status.progress * 100)}%`,
        tooltip: `Hearth: loading ${basename(status.modelPath)}…`,
        severity: "ok",
      };
    case "ready":
      return {
        text: status.busy ? "$(loading~spin) Hearth" : "$(flame) Hearth",
        tooltip: `Hearth: ${status.model.name} ready (${status.model.architecture}, context ${status.model.contextSize}, ${status.model.threads} thread(s)${status.model.gpu ? `, ${status.model.gpu}` : ", CPU"})${status.model.fimFormat ? `\nCompletion prompt format: ${status.model.fimFormat}` : "\nThis model has no fill-in-the-middle tokens: chat only."}${status.model.loraAdapters?.length ? `\nLoRA adapters: ${status.model.loraAdapters.map((adapter) => adapter.name).join(", ")}` : ""}`,
        severity: "ok",
      };
    case "error":
      return { text: "$(error) Hearth: error", tooltip: `Hearth: ${status.error.message}\nClick for options; the log has the details.`, severity: "error" };
  }
}
