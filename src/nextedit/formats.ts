// Next-edit prompt formats per model family, and which one a model speaks, from its GGUF metadata alone (never the
// file name). A next-edit model rewrites a window of the file from the user's recent edits; the format says how the
// edits and the window are laid out and where the answer ends.
import type { ModelVocabInfo, PromptPiece } from "../fim/types";
import { showableModelName } from "../models/model-facts";

/** One recent edit as the prompt shows it: the changed lines before and after. */
export interface DiffBlock {
  path: string;
  original: string;
  updated: string;
}

export interface NextEditRenderInput {
  /** Workspace-relative path of the file being edited, forward slashes. */
  path: string;
  /** Recent edits, oldest first (the format keeps the last maxDiffs). */
  diffs: readonly DiffBlock[];
  /** The window as it was before the user's last edit. */
  original: string;
  /** The same window now: what the model rewrites. */
  current: string;
}

export interface NextEditFormat {
  /** Shown to the user: "Sweep next-edit". */
  readonly familyName: string;
  /** Lines of the window above and below the cursor's line. */
  readonly windowAbove: number;
  readonly windowBelow: number;
  /** Diff blocks the prompt shows at most (the model was trained with no more). */
  readonly maxDiffs: number;
  /** Texts that end the rewritten window. */
  readonly stopStrings: readonly string[];
  /** Special tokens the prompt writes: user text must never turn into one. */
  readonly specialTokens: readonly string[];
  render(input: NextEditRenderInput): PromptPiece[];
}

const FILE_SEP = "<|file_sep|>";
/** Sweep's own client keeps 3 diff blocks of at most 40 lines (zed crates/edit_prediction/src/sweep_prompt.rs). */
const SWEEP_MAX_DIFFS = 3;
const SWEEP_MAX_DIFF_LINES = 40;

/**
 * Sweep's next-edit models (0.5B and 1.5B on Qwen2.5-Coder): `<|file_sep|>{path}.diff` blocks with
 * `original:`/`updated:`, the window before the last edit (`original/{path}`), the window now (`current/{path}`), and
 * the answer after `updated/{path}`: the rewritten window, ended by `<|file_sep|>` or `</s>`.
 */
export const SWEEP_FORMAT: NextEditFormat = {
  familyName: "Sweep next-edit",
  windowAbove: 10,
  windowBelow: 10,
  maxDiffs: SWEEP_MAX_DIFFS,
  stopStrings: [FILE_SEP, "</s>", "<|endoftext|>"],
  specialTokens: [FILE_SEP],
  render(input) {
    const sep: PromptPiece = { kind: "special", token: FILE_SEP };
    const pieces: PromptPiece[] = [];
    for (const diff of input.diffs.slice(-SWEEP_MAX_DIFFS)) {
      pieces.push(sep, {
        kind: "text",
        text: `${diff.path}.diff\noriginal:\n${capLines(diff.original)}\nupdated:\n${capLines(diff.updated)}\n`,
      });
    }
    pieces.push(sep, { kind: "text", text: `original/${input.path}\n${input.original}\n` });
    pieces.push(sep, { kind: "text", text: `current/${input.path}\n${input.current}\n` });
    pieces.push(sep, { kind: "text", text: `updated/${input.path}\n` });
    return pieces;
  },
};

function capLines(text: string): string {
  const lines = text.split("\n");
  return lines.length <= SWEEP_MAX_DIFF_LINES ? text : lines.slice(0, SWEEP_MAX_DIFF_LINES).join("\n");
}

export type NextEditDetection = { ok: true; format: NextEditFormat; because: string } | { ok: false; message: string };

/**
 * The next-edit format of a model, or why it has none. A next-edit model is a fine-tune whose vocabulary is its base's,
 * so only its name tells it apart: a plain Qwen2.5-Coder has the same tokens but was never taught to rewrite a window
 * from edits, and would answer with noise.
 */
export function detectNextEditFormat(info: ModelVocabInfo): NextEditDetection {
  const names = [info.name, info.basename, info.organization].filter(Boolean).join(" ");
  // The file's own words go into a notification: a crafted general.name is not shown (models/model-facts.ts).
  const shown = showableModelName(info.name) ?? showableModelName(info.basename) ?? "This model";
  const hint = names.toLowerCase();
  if (/sweep/.test(hint) && /next[\s_-]?edit/.test(hint)) {
    if (!info.tokens.includes(FILE_SEP)) {
      return { ok: false, message: `${shown} is named as a Sweep next-edit model but its vocabulary has no ${FILE_SEP} token, which Sweep's prompt format needs.` };
    }
    return { ok: true, format: SWEEP_FORMAT, because: `general.name ${JSON.stringify(names)}, vocabulary has ${FILE_SEP}` };
  }
  return {
    ok: false,
    message:
      `${shown} is not a next-edit model: it was not trained to rewrite code from your recent edits, so next-edit suggestions stay off. ` +
      `Choose a Sweep next-edit model (sweep-next-edit 0.5B or 1.5B) for hearth.nextEdit.modelPath.`,
  };
}
