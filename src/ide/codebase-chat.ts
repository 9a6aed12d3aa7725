import { basename } from "node:path";
import * as vscode from "vscode";
import type { ContextPiece } from "../chat/prompt";
import { isAbortError } from "../common/abort";
import { errorMessage } from "../common/errors";
import type { Logger } from "../common/logger";
import { languageIdForPath } from "../context/languages";
import type { CodebaseSnippet } from "../memory/hybrid-search";
import type { CodebaseMemoryHost } from "./codebase-memory";
import { readConfig } from "./config";

/** A question that asks for codebase search names it so (the `@codebase` of other copilots). */
const CODEBASE_MENTION = /(^|\s)@codebase\b/i;

/**
 * The chat's codebase retrieval: for a question with `@codebase` (or every question, with
 * hearth.codebase.retrieveForEveryQuestion), the codebase's best snippets within hearth.codebase.chatTokens, as
 * context pieces (chips labelled file:lines). Null when the question does not ask; [] when nothing was found.
 */
export function codebaseRetriever(host: CodebaseMemoryHost, logger: Logger): (question: string) => Promise<ContextPiece[] | null> {
  return async (question) => {
    const config = readConfig().codebase;
    if (!CODEBASE_MENTION.test(question) && !config.retrieveForEveryQuestion) return null;
    const budget = config.chatTokens;
    try {
      const result = await host.search(question.replace(CODEBASE_MENTION, " ").trim(), budget);
      if (result?.vectorsOff) logger.debug(`codebase search in the chat without vectors: ${result.vectorsOff}`);
      return (result?.snippets ?? []).map(toPiece);
    } catch (e) {
      if (!isAbortError(e)) logger.warn(`codebase search failed: ${errorMessage(e)}`);
      return [];
    }
  };
}

function toPiece(snippet: CodebaseSnippet, i: number): ContextPiece {
  const lines = `${snippet.startLine + 1}-${snippet.endLine + 1}`;
  return {
    id: `codebase-${i + 1}`,
    kind: "codebase",
    label: `${basename(snippet.path)}:${lines}`,
    detail: `${vscode.workspace.asRelativePath(snippet.path, false)}:${lines}`,
    languageId: languageIdForPath(snippet.path) ?? "plaintext",
    text: snippet.header ? `${snippet.header}\n${snippet.text}` : snippet.text,
    location: { path: snippet.path, startLine: snippet.startLine, endLine: snippet.endLine },
  };
}
