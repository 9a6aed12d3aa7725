import * as vscode from "vscode";
import type { Logger } from "../common/logger";

/**
 * The one Hearth log: a LogOutputChannel, so the user picks the level in the Output view. Repeated identical warnings
 * and errors from background work are written once per minute, so a failing keystroke path cannot flood it.
 */
export class HearthLog implements Logger, vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;
  private readonly recent = new Map<string, number>();

  constructor() {
    this.channel = vscode.window.createOutputChannel("Hearth", { log: true });
  }

  trace(message: string): void {
    this.channel.trace(message);
  }

  debug(message: string): void {
    this.channel.debug(message);
  }

  info(message: string): void {
    this.channel.info(message);
  }

  warn(message: string): void {
    if (this.isRepeat(message)) return;
    this.channel.warn(message);
  }

  error(message: string | Error): void {
    const text = typeof message === "string" ? message : (message.stack ?? message.message);
    if (this.isRepeat(text)) return;
    this.channel.error(text);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }

  private isRepeat(message: string): boolean {
    const now = Date.now();
    const last = this.recent.get(message);
    if (last !== undefined && now - last < 60_000) return true;
    this.recent.set(message, now);
    if (this.recent.size > 200) {
      for (const [key, at] of this.recent) if (now - at >= 60_000) this.recent.delete(key);
    }
    return false;
  }
}
