import type { ContextPiece } from "../chat/prompt";
import { isAbortError } from "../common/abort";
import { errorMessage } from "../common/errors";
import type { Logger } from "../common/logger";
import { destinationName, placeCode, planTests, replaceTarget, type Destination, type TestPlan } from "./action-destination";
import type { ActionDocument, ActionHost, EditorDiagnostic, LineRange, ProposalView } from "./action-host";
import { promptInput } from "./action-input";
import type { ActionContextSource, ActionModel, ActionSyntax } from "./action-services";
import { codebaseContext, type ActionCodebaseSearch } from "./codebase-context";
import { diagnosticsIn, resolveTarget, type ActionTarget } from "./action-target";
import { outputShaper } from "./action-output";
import { answerBudget, streamAnswer } from "./answer-stream";
import { detectUnit } from "./clean-output";
import { documentationStart } from "./doc-comment";
import { LineIndex } from "./line-index";
import { syntaxWarning } from "./proposal-check";
import { buildActionMessages, explainQuestion, instructionPrefixMessages, type ActionPromptInput, type EditAction } from "./prompts";
import { rebaseRange } from "./rebase";

export type ActionName = "explain" | EditAction;

/** One action on one document. */
export interface ActionRequest {
  action: ActionName;
  document: ActionDocument;
  /** A selection to work on, or (empty) a position whose enclosing declaration is the target. */
  selection: LineRange;
  /** Fix: the problems to fix (else those the host reports in the target); the first one's start is the position. */
  diagnostics?: readonly EditorDiagnostic[];
  /** Edit with Instruction: the instruction (else the host asks for one). */
  instruction?: string;
}

/** What an action needs: the editor (host), the model, syntax checks and context. */
export interface ActionDeps {
  host: ActionHost;
  model: ActionModel;
  syntax: ActionSyntax;
  context: ActionContextSource;
  logger: Logger;
  /** Codebase search, for Fix and Generate Tests once the memory is ready; absent, they go without. */
  codebase?: ActionCodebaseSearch;
}

export type ActionOutcome =
  | { status: "proposed"; proposal: string; warning?: string }
  | { status: "answered" }
  | { status: "cancelled" | "no-target" | "failed"; message?: string };

export const ACTION_LABELS: Record<EditAction, string> = { fix: "Fix", document: "Document", tests: "Generate Tests", edit: "Edit" };

/** Lines of a document the indentation unit is detected from, when the host does not know it. */
const INDENT_SAMPLE_LINES = 400;

/**
 * Explain, Fix, Document, Generate Tests and Edit with Instruction. The edits stream into a proposal the host shows
 * (the editor's diff): nothing is written until the user accepts it; cancelling it stops the model.
 */
export async function runAction(deps: ActionDeps, request: ActionRequest): Promise<ActionOutcome> {
  const lines = new LineIndex(request.document.text());
  const at = request.diagnostics?.[0]?.range.start ?? request.selection.start;
  const target = await resolveTarget(deps.syntax, deps.host, request.document, lines, request.selection, at);
  if (!target) return noTarget(deps.host);
  return request.action === "explain" ? explain(deps, request, lines, target) : edit(deps, request.action, request, lines, target);
}

/** The outcome (and the hint) when there is nothing to work on: no editor, no selection, no declaration. */
export function noTarget(host: ActionHost): ActionOutcome {
  host.notify({ level: "info", message: "Hearth: select some code, or put the cursor inside a function, method or class." });
  return { status: "no-target" };
}

async function explain(deps: ActionDeps, request: ActionRequest, lines: LineIndex, target: ActionTarget): Promise<ActionOutcome> {
  const { document } = request;
  const span = `${target.range.start.line + 1}-${target.range.end.line + 1}`;
  const piece: ContextPiece = {
    id: "selection",
    kind: "selection",
    label: `${document.name}:${span}`,
    detail: `${document.path}, lines ${span}`,
    languageId: document.languageId,
    text: lines.text.slice(target.start, target.end),
  };
  const diagnostics = diagnosticsIn(deps.host, document, target.range, request.diagnostics);
  await deps.host.askChat(explainQuestion(target.label, diagnostics), [piece]);
  return { status: "answered" };
}

async function edit(deps: ActionDeps, action: EditAction, request: ActionRequest, lines: LineIndex, target: ActionTarget): Promise<ActionOutcome> {
  const { host } = deps;
  const { document } = request;
  let instruction: string | undefined;
  let early: EarlyPrompt | undefined;
  if (action === "edit") {
    early = request.instruction === undefined ? prefillWhileAsked(deps, document, lines, target) : undefined;
    instruction = request.instruction ?? (await host.askInstruction(target.label));
    if (!instruction) {
      early?.stop();
      return { status: "cancelled" };
    }
  }
  // Where the result goes: the target range, or (tests) the end of a test file, new or existing.
  let destination: Destination;
  let tests: TestPlan | undefined;
  if (action === "tests") {
    try {
      tests = await planTests(host, document);
    } catch (error) {
      return fail(deps, error);
    }
    destination = tests.destination;
  } else {
    // Document also takes the doc comment right above a selected declaration: it replaces that comment.
    const start = action === "document" ? documentationStart(lines.text, target.start, document.languageId) : target.start;
    destination = replaceTarget(document, lines.text, { ...target, start }, `${ACTION_LABELS[action]}: ${target.label}`);
  }
  const indentUnit = document.indentUnit ?? detectUnit(Array.from({ length: Math.min(lines.lineCount, INDENT_SAMPLE_LINES) }, (_, i) => lines.lineText(i)));
  const shaper = outputShaper({ action, destination, languageId: document.languageId, indentUnit, syntax: deps.syntax });

  // The diff opens before the context is gathered and the model is asked: the user sees at once what is under way.
  const controller = new AbortController();
  const name = destinationName(destination);
  let view: ProposalView;
  try {
    view = await host.propose({ target: destination.target, plan: destination.plan, title: `${name} ↔ Hearth: ${ACTION_LABELS[action]}`, onCancel: () => controller.abort() });
  } catch (error) {
    return fail(deps, error);
  }
  // Renders run one at a time, and none after the answer ended: one that comes while another is shaping is dropped
  // (the next one shows more), so a late partial never replaces the final proposal.
  let rendering = false;
  let writing = true;
  const render = (raw: string, written: number) => {
    view.progress?.(written);
    if (rendering) return;
    rendering = true;
    void shaper
      .shape(raw, false)
      .then((partial) => {
        if (partial && "code" in partial && writing) view.update(placeCode(destination, partial.code));
      })
      .finally(() => (rendering = false));
  };
  try {
    const ask = async () => {
      const input = await (early?.input ?? promptInput(deps, action, document, lines, target));
      if (instruction) input.instruction = instruction;
      if (action === "fix") input.diagnostics = diagnosticsIn(host, document, target.range, request.diagnostics);
      if (tests) Object.assign(input, { framework: tests.framework, testPath: tests.testPath, existingTests: tests.existing });
      const known = [...(input.definitions ?? []).map((d) => d.text), input.existingTests ?? "", input.target];
      const search = { action, document, text: lines.text, target, diagnostics: input.diagnostics ?? [], framework: tests?.framework ?? null, known, ...(tests && { testPath: tests.testPath }) };
      const codebase = await codebaseContext({ ...deps, windowTokens: deps.model.contextWindow() }, search, controller.signal);
      if (codebase.length) input.codebase = codebase;
      const messages = buildActionMessages(input);
      return streamAnswer(deps.model, messages, answerBudget(deps.model, messages, action), controller.signal, render);
    };
    const { result, raw } = await host.progress(`Hearth: ${ACTION_LABELS[action]}`, ask).finally(() => (writing = false));
    if (controller.signal.aborted || result.stopReason === "cancelled") return await stopped(host, view);
    const final = await shaper.shape(result.text.length >= raw.length ? result.text : raw, true);
    if (!final || "problem" in final) {
      await view.close();
      const why = final ? `${final.problem}; nothing was proposed.` : "the model's answer contained no code; nothing was proposed.";
      host.notify({ level: "warning", message: `Hearth: ${why}` });
      return { status: "failed", message: final ? final.problem : "no code in the answer" };
    }
    const proposal = placeCode(destination, final.code);
    view.update(proposal);
    // The document changed while the model wrote: fine around the target, refused inside it.
    if (destination.target === document && !rebaseRange(lines.text, document.text(), destination.plan)) {
      await view.close();
      const message = `Hearth: ${name} changed where the proposal goes while the model was writing; the proposal was dropped. Run ${ACTION_LABELS[action]} again.`;
      host.notify({ level: "warning", message });
      return { status: "failed", message };
    }
    const baseText = destination.target === document ? lines.text : destination.before;
    const cut = result.stopReason === "max-tokens";
    const warning = await syntaxWarning(deps.syntax, baseText, destination.plan, proposal, document.languageId, cut);
    await view.finish(warning ? (cut ? "⚠ cut at the length limit" : "⚠ does not parse") : undefined);
    if (warning) host.notify({ level: "warning", message: `Hearth: ${warning} Review the diff before accepting.` });
    return warning ? { status: "proposed", proposal, warning } : { status: "proposed", proposal };
  } catch (error) {
    // The engine answers a cancelled request at once with an abort error: the user stopped it.
    if (isAbortError(error)) return await stopped(host, view);
    await view.close();
    return fail(deps, error);
  }
}

/** Edit's prompt input, gathered while the user types the instruction, and the prefill of its known part. */
interface EarlyPrompt {
  input: Promise<ActionPromptInput>;
  /** Stops the prefill (the user cancelled the instruction). */
  stop(): void;
}

/**
 * While the instruction box is open, gathers the prompt's input and has the engine evaluate everything in front of the
 * instruction (system prompt, rules, context, the code), so that the answer evaluates only the instruction and the
 * task's tail. The prefill gives way to the answer itself (a later chat request aborts it, keeping what it evaluated).
 */
function prefillWhileAsked(deps: ActionDeps, document: ActionDocument, lines: LineIndex, target: ActionTarget): EarlyPrompt {
  const controller = new AbortController();
  const input = promptInput(deps, "edit", document, lines, target);
  // Awaited by the answer, or by nobody when the user cancels: a failure is the answer's to report.
  input.catch(() => undefined);
  const prefill = deps.model.prefillChat;
  if (prefill) {
    void input
      .then((ready) => (controller.signal.aborted ? null : prefill.call(deps.model, { messages: instructionPrefixMessages(ready) }, { signal: controller.signal })))
      .then(
        (result) => {
          if (result) deps.logger.info(`actions: Edit prefill: ${result.evaluatedTokens} of ${result.prefixTokens} prompt tokens evaluated (${result.cachedTokens} cached) in ${result.totalMs} ms while the instruction was typed${result.skipped ? ` (skipped: ${result.skipped})` : ""}`);
        },
        (error: unknown) => {
          if (!isAbortError(error)) deps.logger.debug(`actions: Edit prefill failed: ${errorMessage(error)}`);
        },
      );
  }
  return { input, stop: () => controller.abort() };
}

async function stopped(host: ActionHost, view: ProposalView): Promise<ActionOutcome> {
  await view.close();
  host.notify({ level: "stopped", message: "Hearth: stopped; nothing was changed." });
  return { status: "cancelled" };
}

function fail(deps: ActionDeps, error: unknown): ActionOutcome {
  const message = errorMessage(error);
  deps.logger.warn(`actions: ${message}`);
  deps.host.notify({ level: "error", message: `Hearth: ${message}` });
  return { status: "failed", message };
}
