import { isAbortError } from "../common/abort";
import { errorMessage } from "../common/errors";
import type { Logger } from "../common/logger";
import type { ActionDocument, ActionHost } from "./action-host";
import type { ActionTarget } from "./action-target";
import type { ActionDiagnostic, EditAction } from "./prompts";
import type { TestFramework } from "./test-frameworks";

/** A snippet codebase search found: an absolute path (or URI) and 0-based, inclusive lines. */
export interface ActionSnippet {
  path: string;
  startLine: number;
  endLine: number;
  text: string;
}

/**
 * Codebase memory's hybrid search as an action sees it (the editor adapts its codebase host; the CLI and tests have
 * none, or their own).
 */
export interface ActionCodebaseSearch {
  /** The memory has finished a pass over the workspace: before that its answers are partial, and actions go without. */
  ready(): boolean;
  search(query: string, budgetTokens: number, signal: AbortSignal): Promise<readonly ActionSnippet[]>;
}

/** A snippet as the prompt quotes it: where it is (workspace-relative, with lines) and its text. */
export interface QuotedSnippet {
  detail: string;
  text: string;
}

/** Tokens of retrieved code an action sends at most, and no more than this share of the model's window. */
const CODEBASE_BUDGET_TOKENS = 800;
const CODEBASE_WINDOW_SHARE = 1 / 8;
/** An action does not wait longer than this for search: the user is watching an empty diff meanwhile. */
const SEARCH_TIMEOUT_MS = 3000;
/** Names a Fix query takes from the problems' lines and messages. */
const MAX_QUERY_NAMES = 12;

export interface CodebaseContextRequest {
  action: EditAction;
  document: ActionDocument;
  /** The document's text when the action started. */
  text: string;
  target: ActionTarget;
  /** Fix: the problems to fix (none: the names the code uses). */
  diagnostics: readonly ActionDiagnostic[];
  /** Generate Tests: the framework and the file the tests go to. */
  framework?: TestFramework | null;
  testPath?: string;
  /** Texts the prompt has already (definitions from the context assembly, the existing test file's beginning). */
  known: readonly string[];
}

export interface CodebaseContextDeps {
  codebase?: ActionCodebaseSearch;
  host: Pick<ActionHost, "relativePath">;
  logger: Logger;
  /** The model's context window in tokens. */
  windowTokens: number;
}

/**
 * Codebase search for Fix (definitions of the names in and around the problems) and Generate Tests (the project's
 * existing tests of the code and its test framework's usage), within a small token budget, only once codebase memory
 * is ready. Nothing for the other actions, and nothing (logged) when search fails or is slow: the action goes on.
 */
export async function codebaseContext(deps: CodebaseContextDeps, request: CodebaseContextRequest, signal: AbortSignal): Promise<QuotedSnippet[]> {
  const { codebase, logger } = deps;
  if (!codebase || (request.action !== "fix" && request.action !== "tests")) return [];
  if (!codebase.ready()) {
    logger.debug(`actions: codebase memory is not ready; ${request.action} goes without codebase search`);
    return [];
  }
  const query = request.action === "fix" ? fixQuery(request) : testsQuery(request);
  if (!query) return [];
  const budget = Math.min(CODEBASE_BUDGET_TOKENS, Math.floor(deps.windowTokens * CODEBASE_WINDOW_SHARE));
  let found: readonly ActionSnippet[];
  try {
    found = await codebase.search(query, budget, AbortSignal.any([signal, AbortSignal.timeout(SEARCH_TIMEOUT_MS)]));
  } catch (error) {
    if (signal.aborted) throw error;
    logger.warn(`actions: codebase search for ${request.action} ${isAbortError(error) ? `took over ${SEARCH_TIMEOUT_MS} ms` : `failed: ${errorMessage(error)}`}; going without it`);
    return [];
  }
  const used = found
    .filter((s) => keeps(deps.host, request, s))
    .map((s) => ({ detail: `${deps.host.relativePath(s.path)}:${s.startLine + 1}-${s.endLine + 1}`, text: s.text }));
  logger.info(`actions: ${request.action} used ${used.length} codebase snippet(s) for "${query}"${used.length ? `: ${used.map((s) => s.detail).join(", ")}` : ""}`);
  return used;
}

/**
 * Fix's query: the names its problems' messages quote ("Cannot find name 'total'"), then the names on the problems'
 * lines; without problems, the names the code uses.
 */
export function fixQuery(request: Pick<CodebaseContextRequest, "text" | "diagnostics" | "target">): string {
  const lines = request.text.split("\n");
  const names = new Set<string>();
  for (const d of request.diagnostics) {
    for (const quoted of d.message.matchAll(/['"`‘“]([A-Za-z_$][\w$.]*)['"`’”]/g)) addName(names, quoted[1]!.split(".").pop()!);
  }
  const spans = request.diagnostics.length ? request.diagnostics.map((d) => lines[d.line - 1] ?? "") : [request.text.slice(request.target.start, request.target.end)];
  for (const span of spans) {
    // Not what a string or a comment says: a word there is not a name the code uses.
    const code = span.replace(/\/\/.*$|(?:^|\s)#.*$|(["'`])(?:\\.|(?!\1).)*\1/gm, " ");
    for (const m of code.matchAll(/[A-Za-z_$][\w$]*/g)) addName(names, m[0]);
  }
  return [...names].slice(0, MAX_QUERY_NAMES).join(" ");
}

/** Generate Tests' query: the code's name with the words its tests are written in, in this project's framework. */
export function testsQuery(request: Pick<CodebaseContextRequest, "target" | "text" | "framework">): string {
  const code = request.text.slice(request.target.start, request.target.end);
  const name = /\b(?:function|def|class|fn|func|interface|struct|impl|trait)\s+([A-Za-z_$][\w$]*)/.exec(code)?.[1] ?? /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=/.exec(code)?.[1];
  const framework = request.framework ? `${request.framework.name} ` : "";
  return name ? `${name} ${framework}test` : `${framework}test`.trim();
}

/** What the prompt does not have yet: not the target itself, not a text it holds, and for tests, tests only. */
function keeps(host: Pick<ActionHost, "relativePath">, request: CodebaseContextRequest, snippet: ActionSnippet): boolean {
  const path = host.relativePath(snippet.path);
  const { range } = request.target;
  if (path === request.document.path && snippet.startLine <= range.end.line && range.start.line <= snippet.endLine) return false;
  if (request.known.some((k) => k.includes(snippet.text.trim()))) return false;
  return request.action !== "tests" || isTestPath(path);
}

/** A file the usual layouts make a test: under test/, tests/, __tests__/ or spec/, or named *.test.*, *.spec.*, *_test.*, test_*. */
export function isTestPath(path: string): boolean {
  return /(^|[/\\])(tests?|__tests__|spec)[/\\]/i.test(path) || /(^|[/\\])(test_[^/\\]+|[^/\\]+([._-](test|spec))\.[^/\\.]+)$/i.test(path);
}

const KEYWORDS = new Set(
  "const let var function return if else for while do switch case break continue new this class extends import export from as default async await try catch finally throw typeof instanceof void null undefined true false def self None True False pass lambda elif not and or in is with yield fn let mut pub impl use struct enum match func package type interface string number boolean int float".split(" "),
);

function addName(names: Set<string>, name: string): void {
  if (name.length >= 3 && !KEYWORDS.has(name)) names.add(name);
}
