// node-llama-cpp loaded for the generation benches (gen-speed.ts, token-loop.ts), with llama.cpp's own log watched: the
// CPU backend library it loaded and its decode time, which printTimings() reports, apart from node-llama-cpp's loop.
import { pathToFileURL } from "node:url";

export type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });

export interface DecodeWatch {
  /** llama.cpp's total decode ("eval") time and runs, as its last timings line said. */
  evalTotal: { ms: number; runs: number };
  /** The libggml-cpu variant loaded ("zen4", ...), "native" for CPU code linked in, null until the log names it. */
  cpuVariant: string | null;
}

/**
 * `libEntry`: a copy of node-llama-cpp built for this CPU (Hearth's engine build), whose own binary must be used: with
 * the prebuilt binaries allowed, getLlama would take the installed prebuilt one instead and measure that.
 */
export async function loadWatchedLlama(options: { libEntry?: string; threads: number }) {
  const lib: NodeLlamaCpp = options.libEntry ? ((await import(pathToFileURL(options.libEntry).href)) as NodeLlamaCpp) : await import("node-llama-cpp");
  const watch: DecodeWatch = { evalTotal: { ms: 0, runs: 0 }, cpuVariant: null };
  const llama = await lib.getLlama({
    ...(options.libEntry ? { gpu: false, usePrebuiltBinaries: false } : { gpu: false }),
    build: "never",
    maxThreads: options.threads,
    // "log": the level of the line that names the CPU backend library loaded.
    logLevel: lib.LlamaLogLevel.log,
    logger: (_level, message) => {
      const backend = /CPU backend from \S*?libggml-cpu(?:-([\w-]+))?\.so/.exec(message);
      if (backend) watch.cpuVariant = backend[1] ?? "native";
      const match = /\beval time =\s*([\d.]+) ms \/\s*(\d+) runs/.exec(message);
      if (match && !/prompt eval/.test(message)) watch.evalTotal = { ms: Number(match[1]), runs: Number(match[2]) };
    },
  });
  return { lib, llama, watch };
}
