import { basename } from "node:path";
import * as vscode from "vscode";
import type { EngineClient, EngineStatus } from "../engine/client";
import { COMMANDS } from "./command-ids";

/** Shows the engine's real state; a click opens Hearth's menu. */
export class HearthStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscription: { dispose(): void };

  constructor(engine: EngineClient) {
    this.item = vscode.window.createStatusBarItem("hearth.status", vscode.StatusBarAlignment.Right, 100);
    this.item.name = "Hearth";
    this.item.command = COMMANDS.showStatusMenu;
    this.render(engine.status);
    this.subscription = engine.onDidChangeStatus((status) => this.render(status));
    this.item.show();
  }

  get text(): string {
    return this.item.text;
  }

  get tooltip(): string {
    const tooltip = this.item.tooltip;
    return typeof tooltip === "string" ? tooltip : (tooltip?.value ?? "");
  }

  private render(status: EngineStatus): void {
    const view = describeStatus(status);
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

export function describeStatus(status: EngineStatus): StatusView {
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
        tooltip: `Hearth: ${status.model.name} ready (${status.model.architecture}, context ${status.model.contextSize}, ${status.model.threads} thread(s)${status.model.gpu ? `, ${status.model.gpu}` : ", CPU"})${status.model.fimFormat ? `\nCompletion prompt format: ${status.model.fimFormat}` : "\nThis model has no fill-in-the-middle tokens: chat only."}`,
        severity: "ok",
      };
    case "error":
      return { text: "$(error) Hearth: error", tooltip: `Hearth: ${status.error.message}\nClick for options; the log has the details.`, severity: "error" };
  }
}
