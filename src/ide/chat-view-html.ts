import { randomBytes } from "node:crypto";
import * as vscode from "vscode";

/**
 * The chat view's page: the app's script and style from media/dist under a strict CSP with a fresh nonce, nothing
 * else allowed to load or run.
 */
export function chatViewHtml(webview: vscode.Webview, media: vscode.Uri): string {
  const nonce = randomBytes(18).toString("base64");
  const script = webview.asWebviewUri(vscode.Uri.joinPath(media, "dist", "chat.js"));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(media, "dist", "chat.css"));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
    // The syntax highlighter's worker, started from a blob: URL the view's own script makes (highlighter.ts).
    "worker-src blob:",
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>Hearth Chat</title>
</head>
<body>
<div id="hearth-chat-root"></div>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
