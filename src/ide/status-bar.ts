import * as vscode from "vscode";
import type { Disposable } from "../common/disposable";
import type { EngineClient, EngineStatus } from "../engine/client";
import { COMMANDS } from "./command-ids";
import { describeStatus, type CompletionStatus } from "./status-text";

/** Shows the engine's real state and whether completion is on; a click opens Hearth's menu. */
export class HearthStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscription: Disposable;
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
