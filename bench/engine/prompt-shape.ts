// What each side of the engine bench sends, in the model's tokens: Hearth's exact prompt (the engine's own
// fitInfillPrompt on the bench model's vocabulary, so llama-server can be given the very same tokens) and the sizes of
// llama.vscode's windows and ring chunks. One vocabulary-only model in the bench's process.
import { detectFimFormat, vocabInfoFromGgufMetadata } from "../../src/fim/detect";
import { blockEnd } from "../../src/fim/layout";
import type { FimFormat } from "../../src/fim/types";
import type { InfillParams } from "../../src/engine/protocol";
import type { ExtraChunk } from "./llama-server";
import type { LlamaVscodeInfill } from "./typing";

type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });
type Infill = typeof import("../../src/engine/worker/infill.mjs", { with: { "resolution-mode": "import" } });
type Llama = Awaited<ReturnType<NodeLlamaCpp["getLlama"]>>;
type LlamaModel = Awaited<ReturnType<Llama["loadModel"]>>;

/** The parts of a prompt, in lines of text and in tokens. */
export interface PromptShape {
  prefixLines: number;
  prefixTokens: number;
  suffixLines: number;
  suffixTokens: number;
  /** Other files' code, with its file markers. */
  otherTokens: number;
  totalTokens: number;
  /**
   * Hearth's side: the suffix sent reaches the end of the cursor's enclosing block (fim/layout.ts blockEnd over all the
   * suffix the context engine gave: the target for a prefix-first family).
   */
  blockEndShown?: boolean;
  /**
   * The prompt's order (a suffix-first prompt keeps its suffix in the KV cache while the user types); llama.vscode's is
   * llama-server's /infill order, prefix first without --spm-infill.
   */
  order?: FimFormat["order"];
  /**
   * Tokens after the prefix section (the cursor), which an exact engine evaluates again, beside the changed text, when
   * the text at the cursor changes: in a prefix-first prompt the suffix with its markers, in a suffix-first one none.
   */
  tokensAfterPrefix: number;
}

export interface HearthPrompt extends PromptShape {
  /** The tokens the engine evaluates, BOS included where the model asks for one. */
  tokens: number[];
}

export class PromptShapes {
  private constructor(
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly format: FimFormat,
    private readonly infill: Infill,
    private readonly contextSize: number,
  ) {}

  static async open(modelPath: string, contextSize: number): Promise<PromptShapes> {
    const { getLlama, LlamaLogLevel, readGgufFileInfo } = await import("node-llama-cpp");
    const format = detectFimFormat(vocabInfoFromGgufMetadata((await readGgufFileInfo(modelPath)).metadata));
    if (!format) throw new Error(`${modelPath} has no FIM format Hearth knows`);
    const llama = await getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: LlamaLogLevel.error, logger: () => {} });
    const model = await llama.loadModel({ modelPath, vocabOnly: true });
    return new PromptShapes(llama, model, format, await import("../../src/engine/worker/infill.mjs"), contextSize);
  }

  tokenize(text: string): number[] {
    return this.model.tokenize(text, false, "trimLeadingSpace");
  }

  /** Exactly what Hearth's engine evaluates for `params`. */
  hearth(params: InfillParams): HearthPrompt {
    const { prompt, tokens } = this.infill.fitInfillPrompt(this.model, this.contextSize, this.format, params);
    const all: number[] = [...tokens];
    if (this.model.tokens.shouldPrependBosToken && this.model.tokens.bos !== null) all.unshift(this.model.tokens.bos);
    const prefixTokens = this.tokenize(prompt.prefix).length;
    const suffixTokens = this.tokenize(prompt.suffix).length;
    const snippetText = (params.snippets ?? []).map((s) => s.content);
    // Prefix first: from the suffix marker that follows the prefix to the end (the suffix, the middle marker).
    const suffixMarker = this.format.order === "psm" ? all.lastIndexOf(this.model.tokens.infill.suffix ?? -1) : -1;
    return {
      tokens: all,
      blockEndShown: prompt.suffix.length >= blockEnd(params.prefix, params.suffix, 0),
      order: this.format.order,
      prefixLines: lineCount(prompt.prefix),
      prefixTokens,
      suffixLines: lineCount(prompt.suffix),
      suffixTokens,
      // Markers and paths included: everything that is neither the prefix nor the suffix window.
      otherTokens: snippetText.length === 0 ? 0 : all.length - prefixTokens - suffixTokens,
      totalTokens: all.length,
      tokensAfterPrefix: this.format.order === "spm" ? 0 : suffixMarker >= 0 ? all.length - suffixMarker : suffixTokens + 2,
    };
  }

  /**
   * What llama.vscode sends (before llama-server's own cuts: at most 3/4 of the batch of prefix, 1/4 of suffix less the
   * line so far; `batch` is the server's -b).
   */
  llamaVscode(request: LlamaVscodeInfill, extra: readonly ExtraChunk[], batch: number): PromptShape {
    const prefix = request.input_prefix + request.prompt;
    const prefixTokens = this.tokenize(prefix).length;
    const suffixTokens = this.tokenize(request.input_suffix).length;
    // llama-server's format_prompt_infill: [extra] <fim_pre> prefix, line so far <fim_suf> suffix (cut) <fim_mid>.
    const suffixKept = Math.min(suffixTokens, Math.max(0, Math.floor(batch / 4) - (2 + this.tokenize(request.prompt).length)));
    const otherTokens = extra.reduce((n, chunk) => n + this.tokenize(`${chunk.filename}\n${chunk.text}`).length + 1, 0);
    return {
      prefixLines: lineCount(prefix),
      prefixTokens,
      suffixLines: lineCount(request.input_suffix),
      suffixTokens,
      otherTokens,
      totalTokens: prefixTokens + suffixTokens + otherTokens,
      order: "psm",
      tokensAfterPrefix: suffixKept + 2,
    };
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
    await this.llama.dispose();
  }
}

/** Lines a window touches: its line breaks, plus a last line when text follows the final break. */
function lineCount(text: string): number {
  if (text === "") return 0;
  const breaks = text.split("\n").length - 1;
  return text.endsWith("\n") ? breaks : breaks + 1;
}
