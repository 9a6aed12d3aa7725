// The inline-completion pipeline as every front end builds it: the extension (src/extension.ts) and the CLI
// (src/cli/complete.ts) both make theirs here, so what the terminal prints is what the editor shows.
import { readFile, stat } from "node:fs/promises";
import { isAbsolute, relative, sep } from "node:path";
import type { Disposable } from "../common/disposable";
import { Emitter, type Event } from "../common/event";
import { scopedLogger, type Logger } from "../common/logger";
import type { HearthConfig } from "../common/settings";
import { ContextEngine } from "../context/context-engine";
import type { AssembledContext, AssembleRequest } from "../context/context-types";
import { ModelTokenCounter, type TokenCountSource } from "../context/model-token-counter";
import { isSecretFile } from "../context/secret-files";
import type { EngineStatus } from "../engine/client";
import { onModelChange } from "../engine/model-change";
import type { CompletionEngine, DocumentSnapshot } from "./completion-types";
import { completionContextRequest } from "./generate-suggestion";
import { RequestManager } from "./request-manager";

/** What the pipeline needs from the engine: the EngineClient. */
export interface PipelineEngine extends CompletionEngine, TokenCountSource {
  readonly status: EngineStatus;
  readonly onDidChangeStatus: Event<EngineStatus>;
}

export interface CompletionPipelineOptions {
  engine: PipelineEngine;
  /** Folder with the grammars' .wasm, web-tree-sitter.wasm and each language's query files (the repository's `grammars/`). */
  grammarsDir: string;
  logger: Logger;
  /** hearth.completion.contextTokens. */
  budgetTokens: number;
  /** A context item's path as the prompt shows it (relative to its workspace folder when it is in one). */
  relativePath: (path: string) => string;
  /**
   * The clock of the context hold's pause rule, in ms (ContextEngineOptions.now): a bench that replays a typist gives
   * the typist's time, not the wall clock that also runs whatever the bench does between two of its requests.
   */
  now?: () => number;
}

/**
 * The context engine (weighing context with the loaded model's tokenizer), the request manager over it and the
 * engine, and the rule that another model starts with nothing cached from the one before.
 */
export class CompletionPipeline implements Disposable {
  readonly context: ContextEngine;
  readonly manager: RequestManager;
  private readonly tokenCounter: ModelTokenCounter;
  private readonly modelChange: Disposable;
  private readonly assembledEmitter = new Emitter<AssembledContext>();
  /** The context of each model call, as it went into the prompt (the CLI reports it; tests compare it). */
  readonly onDidAssemble: Event<AssembledContext> = this.assembledEmitter.event;
  private budgetTokens: number;

  constructor(options: CompletionPipelineOptions) {
    this.budgetTokens = options.budgetTokens;
    // Context is weighed with the loaded model's tokenizer (estimated until it has counted a line).
    this.tokenCounter = new ModelTokenCounter(options.engine, scopedLogger(options.logger, "tokens"));
    this.context = new ContextEngine({
      countTokens: this.tokenCounter.count,
      grammarsDir: options.grammarsDir,
      logger: options.logger,
      readFile: readSmallTextFile,
      ...(options.now ? { now: options.now } : {}),
    });
    const context = this.context;
    const assembler = {
      assemble: async (request: AssembleRequest) => {
        const assembled = await context.assemble(request);
        this.assembledEmitter.fire(assembled);
        return assembled;
      },
      prepare: (request: AssembleRequest) => context.prepare(request),
    };
    this.manager = new RequestManager(
      { engine: options.engine, context: assembler, logger: scopedLogger(options.logger, "completion") },
      { generation: { budgetTokens: options.budgetTokens, relativePath: options.relativePath } },
    );
    this.modelChange = onModelChange(
      options.engine.onDidChangeStatus,
      () => {
        // Suggestions are cached by text alone and token counts come from one tokenizer: both belong to the old model.
        this.manager.reset();
        this.tokenCounter.forget();
      },
      options.engine.status,
    );
  }

  /** New settings apply from the next model call. */
  configure(config: HearthConfig): void {
    this.budgetTokens = config.completion.contextTokens;
    this.manager.updateGeneration({ budgetTokens: this.budgetTokens });
  }

  /**
   * Assembles the context at this position once and waits until the model has counted its lines: a front end that
   * asks once (the CLI) then weighs its context as the editor does a keystroke into the file, with the model's own
   * counts rather than estimates.
   */
  async settleTokenCounts(snapshot: DocumentSnapshot, signal: AbortSignal): Promise<void> {
    await this.context.assemble({ ...completionContextRequest(snapshot, this.budgetTokens), signal });
    await this.tokenCounter.settled();
  }

  dispose(): void {
    this.modelChange.dispose();
    this.assembledEmitter.dispose();
    this.manager.dispose();
    this.tokenCounter.dispose();
    this.context.dispose();
  }
}

/** Whether completions are on for a language: hearth.completion.enable and its per-language overrides. */
export function completionEnabledFor(config: HearthConfig, languageId: string): boolean {
  const { completion } = config;
  return completion.enable && (completion.languages[languageId] ?? completion.languages["*"] ?? true);
}

/**
 * Why no completion runs in the file at `path` whatever the settings say, or undefined where one may. A secrets file's
 * text would be the prompt: sent to the model (to a team's server, where one is set) and written back as ghost text.
 */
export function completionRefusedIn(path: string): string | undefined {
  return isSecretFile(path) ? "a file that usually holds secrets (.env, a private key, .npmrc, .netrc): its text goes into no prompt" : undefined;
}

/** `path` relative to `folder` with forward slashes, as prompts show paths; undefined when it is not inside it. */
export function pathInFolder(folder: string, path: string): string | undefined {
  const inside = relative(folder, path);
  if (inside === "" || inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return undefined;
  return inside.split(sep).join("/");
}

/** Files the context module reads from disk: text only, and not so large that reading them stalls a keystroke. */
export async function readSmallTextFile(path: string): Promise<string | null> {
  try {
    if ((await stat(path)).size > 1024 * 1024) return null;
    const text = await readFile(path, "utf8");
    return text.includes("\u0000") ? null : text;
  } catch {
    return null;
  }
}
