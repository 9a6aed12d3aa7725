// The chat webview's entry: connects the app to the extension through the typed protocol, validating every message.
import { parseHostMessage, PROTOCOL_VERSION, type WebviewToHost } from "../protocol";
import { ChatApp } from "./chat-app";
import { Highlighter } from "./highlighter";
import { renderMarkdown } from "./markdown";
import { toSafeFragment } from "./sanitize";
import "./chat.css";

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const root = document.getElementById("hearth-chat-root");
if (root) {
  const highlighter = new Highlighter((text) => vscode.postMessage({ type: "problem", text }));
  const app = new ChatApp(root, {
    post: (message) => vscode.postMessage(message),
    saveDraft: (draft) => vscode.setState({ draft }),
    loadDraft: () => {
      const state = vscode.getState() as { draft?: unknown } | undefined;
      return typeof state?.draft === "string" ? state.draft : "";
    },
  }, highlighter);
  window.addEventListener("message", (event: MessageEvent<unknown>) => {
    const message = parseHostMessage(event.data);
    if (message) app.handle(message);
  });
  vscode.postMessage({ type: "ready", version: PROTOCOL_VERSION });
  // While the extension answers `ready`: the worker loads its script, and the first Markdown rendered pays for setting
  // up markdown-it and DOMPurify in a task of its own, not the first answer's.
  highlighter.start();
  setTimeout(() => toSafeFragment(renderMarkdown("Warm *up*: `x`\n\n- [a](https://example.com)\n\n```\nx\n```\n")), 0);
}
