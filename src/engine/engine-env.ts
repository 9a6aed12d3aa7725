/**
 * The engine process's environment: an explicit allow-list, never a copy of the extension host's.
 *
 * Why: a variable such as NODE_OPTIONS (`--import=data:…`, `--require …`) makes Node run code before the engine's
 * first line, and the host's environment is not fully ours to trust: a polluted Object.prototype shows up in any
 * `{ ...process.env }` copy (child_process walks the env object with for…in, inherited keys included), and the host
 * carries variables the engine has no use for (VS Code's sockets, tokens). So the child gets only what Node, the OS
 * and node-llama-cpp's GPU backends read, copied from own properties into an object without a prototype.
 */

/** Names the engine keeps as they are (compared without regard to case: Windows spells them freely). */
const EXACT = new Set(
  [
    // The OS and the C runtime: finding programs and libraries, the user's folders, temporary files, locale, time.
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "TMPDIR",
    "TMP",
    "TEMP",
    "LANG",
    "LANGUAGE",
    "TZ",
    "LD_LIBRARY_PATH",
    // node-llama-cpp looks for CUDA and Vulkan libraries here (detectAvailableComputeLayers, Termux, Snap).
    "PREFIX",
    "SNAP",
    "VULKAN_SDK",
    "ROCM_PATH",
    "GPU_DEVICE_ORDINAL",
    "ONEAPI_DEVICE_SELECTOR",
    // Vulkan's loader and some drivers need the display session to enumerate devices.
    "DISPLAY",
    "WAYLAND_DISPLAY",
    // Windows: the system folders native code and node-llama-cpp look up, and the user's profile.
    "SYSTEMROOT",
    "WINDIR",
    "SYSTEMDRIVE",
    "PROGRAMFILES",
    "PROGRAMFILES(X86)",
    "PROGRAMFILES(ARM)",
    "PROGRAMDATA",
    "APPDATA",
    "LOCALAPPDATA",
    "USERPROFILE",
    "COMSPEC",
    "PATHEXT",
    "NUMBER_OF_PROCESSORS",
    "PROCESSOR_ARCHITECTURE",
    "OS",
    // Hearth's own: the folder of the engine build for this CPU (engine/worker/llama-binding.mts).
    "HEARTH_ENGINE_BUILD",
  ].map((name) => name.toUpperCase()),
);

/**
 * Prefixes of the GPU runtimes' and llama.cpp's own switches: CUDA_VISIBLE_DEVICES, CUDA_PATH, HIP_VISIBLE_DEVICES,
 * HSA_OVERRIDE_GFX_VERSION, ROCR_VISIBLE_DEVICES, VK_ICD_FILENAMES, GGML_VK_VISIBLE_DEVICES, GGML_METAL_*,
 * NODE_LLAMA_CPP_GPU / _LOG_LEVEL / _DEBUG, MESA_VK_DEVICE_SELECT, XDG_RUNTIME_DIR (Vulkan ICDs), LC_ALL.
 */
const PREFIXES = ["LC_", "XDG_", "CUDA_", "NVIDIA_", "HIP_", "HSA_", "ROCR_", "VK_", "VULKAN_", "MESA_", "GGML_", "LLAMA_", "NODE_LLAMA_CPP_", "SYCL_", "ZES_"];

/** What the engine's Node must never take from outside, whatever the lists above say. */
const NEVER = new Set(["NODE_OPTIONS", "NODE_PATH", "NODE_REPL_EXTERNAL_MODULE", "LD_PRELOAD", "LD_AUDIT", "DYLD_INSERT_LIBRARIES"]);

/** The engine starts with no Node flags: the host's execArgv (an inspector port, --require hooks) stays with the host. */
export const ENGINE_EXEC_ARGV: readonly string[] = Object.freeze([]);

function allowed(name: string): boolean {
  const upper = name.toUpperCase();
  if (NEVER.has(upper)) return false;
  return EXACT.has(upper) || PREFIXES.some((prefix) => upper.startsWith(prefix));
}

/**
 * The size of the engine's libuv threadpool, on which node-llama-cpp runs every decode, sampling, model load and file
 * read. Never the host's: VS Code or a user's shell may set UV_THREADPOOL_SIZE for their own reasons. The client may
 * choose it (`extra`, an integer from 1 to 1024, libuv's own limits: the threadpool bench compares sizes); otherwise
 * the engine gets ENGINE_LIBUV_THREADS.
 */
export const LIBUV_THREADS_VARIABLE = "UV_THREADPOOL_SIZE";

/**
 * The engine's threadpool size when the client chooses none; undefined: Node's default (4). One thread makes each
 * token's hand-offs cheaper (gen-speed bench: 1.29 → 1.065× llama-server's ms/token on a loaded machine) but queues
 * everything else behind the decodes: in the threadpool bench (bench/RESULTS.md, 2 cores, load 3–7) completions beside
 * a streaming chat took 1.25× as long and the chat 1.33× per token, a chat model's load 20.5 s against 16.9 s, indexing
 * 0.3 texts/s against 0.5; 2 threads gained nothing. Not worth it until sampling runs in the decode's own job.
 */
export const ENGINE_LIBUV_THREADS: number | undefined = undefined;

function libuvThreads(extra: NodeJS.ProcessEnv): number | undefined {
  const value = Object.getOwnPropertyDescriptor(extra, LIBUV_THREADS_VARIABLE)?.value as unknown;
  const size = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  return size >= 1 && size <= 1024 ? size : ENGINE_LIBUV_THREADS;
}

/**
 * The engine's environment from `source` (the host's process.env) and `extra` (the client's options): allow-listed
 * own string properties only, in an object without a prototype, plus ELECTRON_RUN_AS_NODE so that desktop VS Code's
 * Electron executable runs the engine as plain Node, and the threadpool size (libuvThreads).
 */
export function engineEnvironment(source: NodeJS.ProcessEnv, extra: NodeJS.ProcessEnv = {}): Record<string, string> {
  const env = Object.create(null) as Record<string, string>;
  for (const from of [source, extra]) {
    for (const name of Object.keys(from)) {
      const value = Object.getOwnPropertyDescriptor(from, name)?.value as unknown;
      if (typeof value === "string" && allowed(name)) env[name] = value;
    }
  }
  env.ELECTRON_RUN_AS_NODE = "1";
  const threads = libuvThreads(extra);
  if (threads !== undefined) env[LIBUV_THREADS_VARIABLE] = String(threads);
  return env;
}
