import { errorMessage } from "../common/errors";
import type { Logger } from "../common/logger";
import type { ActionDocument, ActionHost } from "./action-host";
import type { ActionContextSource } from "./action-services";
import type { ActionTarget } from "./action-target";
import type { LineIndex } from "./line-index";
import type { ActionPromptInput, EditAction } from "./prompts";

/** Lines shown before and after the target, for orientation. */
const CONTEXT_LINES = 6;
/** Tokens of imports and definitions asked of the context assembly. */
const CONTEXT_BUDGET_TOKENS = 1500;

export interface InputSources {
  host: ActionHost;
  context: ActionContextSource;
  logger: Logger;
}

/** What the prompt gets: the target, the lines around it, and the imports and definitions it uses. */
export async function promptInput(sources: InputSources, action: EditAction, document: ActionDocument, lines: LineIndex, target: ActionTarget): Promise<ActionPromptInput> {
  const first = target.range.start.line;
  const last = target.range.end.line;
  return {
    action,
    languageId: document.languageId,
    path: document.path,
    target: lines.text.slice(target.start, target.end),
    startLine: first + 1,
    before: lines.lines(first - CONTEXT_LINES, first - 1),
    after: lines.lines(last + 1, last + CONTEXT_LINES),
    ...(await gatherContext(sources, document, lines.text, target.end)),
    ...(await gatherRules(sources, document)),
  };
}

/** The project's rules for the document, from the host; none when it has none or fails. */
async function gatherRules(sources: InputSources, document: ActionDocument): Promise<Pick<ActionPromptInput, "rules">> {
  try {
    const rules = await sources.host.projectRules?.(document);
    return rules ? { rules } : {};
  } catch (error) {
    sources.logger.warn(`actions: project rules failed: ${errorMessage(error)}`);
    return {};
  }
}

/** Imports and definitions of the symbols the target uses, from the context assembly; nothing when it fails. */
async function gatherContext(sources: InputSources, document: ActionDocument, text: string, offset: number): Promise<Pick<ActionPromptInput, "imports" | "definitions">> {
  try {
    const assembled = await sources.context.assemble({ uri: document.uri, languageId: document.languageId, text, offset, budgetTokens: CONTEXT_BUDGET_TOKENS });
    const imports = assembled.items.filter((i) => i.kind === "imports").map((i) => i.text).join("\n");
    const definitions = assembled.items.filter((i) => i.kind === "definition").map((i) => ({ path: sources.host.relativePath(i.path), text: i.text }));
    return { ...(imports ? { imports } : {}), definitions };
  } catch (error) {
    sources.logger.warn(`actions: context failed: ${errorMessage(error)}`);
    return {};
  }
}
