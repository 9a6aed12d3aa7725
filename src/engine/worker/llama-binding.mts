// The process's one llama.cpp binding: node-llama-cpp is imported on first use, and the binding is made again only when
// the GPU or thread settings change (which unloads every model it holds).
import type { Llama } from "node-llama-cpp";
import type { LoadParams } from "../protocol.js";

export type NodeLlamaCpp = typeof import("node-llama-cpp");

export type EngineLog = (level: "debug" | "info" | "warn" | "error", message: string) => void;

export type BindingParams = Pick<LoadParams, "gpu" | "threads">;

export class LlamaBinding {
  private lib: NodeLlamaCpp | undefined;
  private llama: Llama | undefined;
  private key = "";

  constructor(private readonly log: EngineLog) {}

  /** The binding made last, whatever its settings; undefined before the first. */
  get current(): Llama | undefined {
    return this.llama;
  }

  /** Whether `params` need another binding than the one in use (none in use needs none replaced). */
  replacedBy(params: BindingParams): boolean {
    return this.llama !== undefined && this.key !== keyOf(params);
  }

  async library(): Promise<NodeLlamaCpp> {
    this.lib ??= await import("node-llama-cpp");
    return this.lib;
  }

  /** The binding for `params`, made now (and the previous one disposed) when the settings changed. */
  async get(lib: NodeLlamaCpp, params: BindingParams): Promise<Llama> {
    const key = keyOf(params);
    if (this.llama && this.key === key) return this.llama;
    await this.llama?.dispose();
    this.llama = await lib.getLlama({
      gpu: params.gpu === "off" ? false : "auto",
      // Never compile or download at run time: users have no toolchain and may have no network.
      build: "never",
      maxThreads: params.threads,
      logLevel: lib.LlamaLogLevel.warn,
      logger: (level, message) => {
        const text = message.trimEnd();
        if (text) this.log(level === lib.LlamaLogLevel.error || level === lib.LlamaLogLevel.fatal ? "error" : "debug", `llama.cpp: ${text}`);
      },
    });
    this.key = key;
    return this.llama;
  }

  async dispose(): Promise<void> {
    await this.llama?.dispose().catch(() => undefined);
    this.llama = undefined;
  }
}

function keyOf(params: BindingParams): string {
  return `${params.gpu}:${params.threads}`;
}
