// The process's one llama.cpp binding: node-llama-cpp is imported on first use, and the binding is made again only when
// the GPU or thread settings change (which unloads every model it holds). The library is the build for this CPU
// (engine-build.mts) when HEARTH_ENGINE_BUILD names a folder holding one that loads, else the installed prebuilt one.
import type { Llama } from "node-llama-cpp";
import { pathToFileURL } from "node:url";
import { errorMessage } from "../../common/errors.js";
import { ENGINE_BUILD_ENV } from "../engine-build-lines.js";
import type { LoadParams } from "../protocol.js";
import { findEngineBuild, installedPackageDir, packageVersion } from "./engine-build.mjs";

export type NodeLlamaCpp = typeof import("node-llama-cpp");

export type EngineLog = (level: "debug" | "info" | "warn" | "error", message: string) => void;

export type BindingParams = Pick<LoadParams, "gpu" | "threads">;

/** Which llama.cpp the engine runs, and why. */
export interface LibrarySource {
  kind: "this-cpu" | "prebuilt";
  detail: string;
}

export class LlamaBinding {
  private lib: NodeLlamaCpp | undefined;
  private llama: Llama | undefined;
  private key = "";
  private chosen: LibrarySource | undefined;

  constructor(
    private readonly log: EngineLog,
    /** The folder of the build for this CPU; the environment's HEARTH_ENGINE_BUILD by default. */
    private readonly buildDir: string | undefined = process.env[ENGINE_BUILD_ENV] || undefined,
  ) {}

  /** The binding made last, whatever its settings; undefined before the first. */
  get current(): Llama | undefined {
    return this.llama;
  }

  /** Which library library() chose; undefined before its first call. */
  get source(): LibrarySource | undefined {
    return this.chosen;
  }

  /** Whether `params` need another binding than the one in use (none in use needs none replaced). */
  replacedBy(params: BindingParams): boolean {
    return this.llama !== undefined && this.key !== keyOf(params);
  }

  async library(): Promise<NodeLlamaCpp> {
    if (!this.lib) {
      const { lib, source } = await this.chooseLibrary();
      this.log(source.kind === "this-cpu" ? "info" : this.buildDir ? "warn" : "debug", `llama.cpp: ${source.kind === "this-cpu" ? "the build for this CPU" : "the prebuilt binaries"} (${source.detail})`);
      this.lib = lib;
      this.chosen = source;
    }
    return this.lib;
  }

  /** The binding for `params`, made now (and the previous one disposed) when the settings changed. */
  async get(lib: NodeLlamaCpp, params: BindingParams): Promise<Llama> {
    const key = keyOf(params);
    if (this.llama && this.key === key) return this.llama;
    await this.llama?.dispose();
    const thisCpu = this.chosen?.kind === "this-cpu";
    this.llama = await lib.getLlama({
      // The build for this CPU has no GPU backend, and must not quietly become the copy's prebuilt binary.
      ...(thisCpu ? { gpu: false, usePrebuiltBinaries: false } : { gpu: params.gpu === "off" ? false : "auto" }),
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

  /**
   * The build for this CPU when there is one for this node-llama-cpp, no GPU would go unused for it, and it loads;
   * else the prebuilt library, with the reason.
   */
  private async chooseLibrary(): Promise<{ lib: NodeLlamaCpp; source: LibrarySource }> {
    const prebuilt = async (detail: string) => ({ lib: await import("node-llama-cpp"), source: { kind: "prebuilt", detail } as const });
    if (!this.buildDir) return prebuilt(`${ENGINE_BUILD_ENV} is not set`);
    try {
      const found = await findEngineBuild(this.buildDir, await packageVersion(installedPackageDir()));
      if (!found.found) return prebuilt(found.reason);
      const installed = await import("node-llama-cpp");
      const gpus = (await installed.getLlamaGpuTypes("supported")).filter((gpu) => gpu !== false);
      if (gpus.length > 0) return prebuilt(`this machine has a GPU (${gpus.join(", ")}) that the build for this CPU cannot use`);
      const lib = (await import(pathToFileURL(found.entry).href)) as Partial<NodeLlamaCpp>;
      // A hand-edited or half-replaced copy: said in words, not as the TypeError its first use would throw.
      if (typeof lib.getLlama !== "function" || typeof lib.LlamaLogLevel !== "object") throw new Error(`its entry ${found.entry} is not node-llama-cpp (no getLlama); build the engine again`);
      // Loaded once here, so that a build that no longer loads (a changed system library) falls back now, not at the model load.
      const test = await lib.getLlama({ gpu: false, build: "never", usePrebuiltBinaries: false, logLevel: lib.LlamaLogLevel.error });
      await test.dispose();
      return { lib: lib as NodeLlamaCpp, source: { kind: "this-cpu", detail: `${this.buildDir}, built ${found.marker.builtAt} for ${found.marker.cpu}` } };
    } catch (error) {
      return prebuilt(`the build for this CPU in ${this.buildDir} did not load: ${errorMessage(error)}`);
    }
  }
}

function keyOf(params: BindingParams): string {
  return `${params.gpu}:${params.threads}`;
}
