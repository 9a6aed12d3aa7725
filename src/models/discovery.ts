// Finds the GGUF models a user already has: node-llama-cpp's models folder, LM Studio, Ollama's store (its manifests
// name the blobs), the Hugging Face cache, Jan, GPT4All, Hearth's own download folder and folders from a setting.
// Plain file-system reads only (no process, no network), bounded in depth, entries, files and time, safe against
// symlink loops. Each file is then classified from its GGUF metadata (model-facts.ts) without loading it.
import type { Dirent } from "node:fs";
import { open, readdir, realpath, stat } from "node:fs/promises";
import { basename, join, relative, sep } from "node:path";
import { inspectModelFile, type ModelFacts } from "./model-facts";

export type ModelSourceId = "hearth" | "node-llama-cpp" | "lm-studio" | "ollama" | "huggingface" | "jan" | "gpt4all" | "user";

export const SOURCE_LABELS: Record<ModelSourceId, string> = {
  hearth: "Hearth downloads",
  "node-llama-cpp": "node-llama-cpp",
  "lm-studio": "LM Studio",
  ollama: "Ollama",
  huggingface: "Hugging Face cache",
  jan: "Jan",
  gpt4all: "GPT4All",
  user: "Your folders",
};

export type RootLayout = "files" | "ollama" | "huggingface";

export interface DiscoveryRoot {
  source: ModelSourceId;
  path: string;
  layout: RootLayout;
}

export interface FoundFile {
  path: string;
  /** The file behind any symlinks; two paths to one file are listed once. */
  realPath: string;
  source: ModelSourceId;
  /** What the user would call it: "qwen2.5-coder:1.5b" (Ollama), "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/x.gguf" (HF). */
  displayName: string;
  sizeBytes: number;
  mtimeMs: number;
  /** Ollama marks adapter layers; they are LoRA adapters, not models. */
  ollamaLayer?: "model" | "adapter";
}

export interface DiscoveryLimits {
  /** Folder levels below each root; default 6. */
  maxDepth: number;
  /** Directory entries read in all; default 20,000. */
  maxEntries: number;
  /** GGUF files listed; default 500. */
  maxFiles: number;
  /** Wall-clock budget for the walk; default 4 s. */
  timeBudgetMs: number;
}

export interface FindResult {
  files: FoundFile[];
  /** True when a limit stopped the walk early: the list may be incomplete. */
  truncated: boolean;
}

export const DEFAULT_LIMITS: DiscoveryLimits = { maxDepth: 6, maxEntries: 20_000, maxFiles: 500, timeBudgetMs: 4000 };

/** File names that are never a finished model: partial downloads of Hearth, browsers, HF, LM Studio and others. */
const PARTIAL = /\.(partial|part|incomplete|download|crdownload|tmp|lock)$/i;
/** Folders no model tool keeps models in; skipping them keeps a user folder like ~/code cheap. */
const SKIP_DIRS = new Set(["node_modules", ".git", ".hg", ".svn", "__pycache__", ".venv", "venv", ".Trash", "$RECYCLE.BIN"]);
const SPLIT_PART = /-(\d{5})-of-(\d{5})\.gguf$/i;

export interface RootOptions {
  platform: NodeJS.Platform;
  home: string;
  env: Record<string, string | undefined>;
  /** hearth.models.folders, already resolved to absolute paths. */
  userFolders?: readonly string[];
  /** hearth.models.downloadFolder, resolved. */
  downloadFolder?: string;
}

/** Where each tool keeps its models on this platform. Folders that do not exist are skipped by the walk. */
export function defaultModelRoots(options: RootOptions): DiscoveryRoot[] {
  const { platform, home, env } = options;
  const p = (...parts: string[]) => join(home, ...parts);
  const appData = env.APPDATA ?? p("AppData", "Roaming");
  const localAppData = env.LOCALAPPDATA ?? p("AppData", "Local");
  const xdgData = env.XDG_DATA_HOME ?? p(".local", "share");
  const xdgCache = env.XDG_CACHE_HOME ?? p(".cache");
  const roots: DiscoveryRoot[] = [];
  const add = (source: ModelSourceId, path: string | undefined, layout: RootLayout = "files") => {
    if (path && !roots.some((r) => r.path === path)) roots.push({ source, path, layout });
  };
  add("hearth", options.downloadFolder);
  add("node-llama-cpp", p(".node-llama-cpp", "models"));
  // LM Studio 0.3+ keeps ~/.lmstudio/models; older versions ~/.cache/lm-studio/models (on every platform).
  add("lm-studio", p(".lmstudio", "models"));
  add("lm-studio", p(".cache", "lm-studio", "models"));
  // Ollama: OLLAMA_MODELS, else ~/.ollama/models; the Linux service user keeps /usr/share/ollama/.ollama/models.
  add("ollama", env.OLLAMA_MODELS ?? p(".ollama", "models"), "ollama");
  if (platform === "linux") add("ollama", "/usr/share/ollama/.ollama/models", "ollama");
  // Hugging Face: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub (also on Windows and macOS).
  add("huggingface", env.HF_HUB_CACHE ?? (env.HF_HOME ? join(env.HF_HOME, "hub") : p(".cache", "huggingface", "hub")), "huggingface");
  if (env.XDG_CACHE_HOME && !env.HF_HUB_CACHE && !env.HF_HOME) add("huggingface", join(xdgCache, "huggingface", "hub"), "huggingface");
  // Jan: ~/jan (old), then its app-data folder.
  add("jan", p("jan", "models"));
  if (platform === "darwin") add("jan", p("Library", "Application Support", "Jan", "data"));
  else if (platform === "win32") add("jan", join(appData, "Jan", "data"));
  else add("jan", join(xdgData, "Jan", "data"));
  // GPT4All.
  if (platform === "darwin") add("gpt4all", p("Library", "Application Support", "nomic.ai", "GPT4All"));
  else if (platform === "win32") add("gpt4all", join(localAppData, "nomic.ai", "GPT4All"));
  else add("gpt4all", join(xdgData, "nomic.ai", "GPT4All"));
  for (const folder of options.userFolders ?? []) add("user", folder);
  return roots;
}

/** Lists the GGUF files under the roots, within the limits. Never throws for a missing or unreadable folder. */
export async function findModelFiles(roots: readonly DiscoveryRoot[], limits: Partial<DiscoveryLimits> = {}, signal?: AbortSignal): Promise<FindResult> {
  const walk = new Walk({ ...DEFAULT_LIMITS, ...limits }, signal);
  for (const root of roots) {
    if (walk.stopped) break;
    if (root.layout === "ollama") await walk.ollama(root);
    else await walk.tree(root, root.path, 0);
  }
  return { files: collapseSplitParts(walk.files), truncated: walk.stopped || walk.tooDeep };
}

class Walk {
  readonly files: FoundFile[] = [];
  private readonly seenFiles = new Set<string>();
  private readonly seenDirs = new Set<string>();
  private entries = 0;
  private readonly deadline: number;
  stopped = false;
  tooDeep = false;

  constructor(
    private readonly limits: DiscoveryLimits,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.deadline = Date.now() + limits.timeBudgetMs;
  }

  private shouldStop(): boolean {
    if (this.signal?.aborted || Date.now() > this.deadline || this.entries >= this.limits.maxEntries || this.files.length >= this.limits.maxFiles) {
      this.stopped = true;
    }
    return this.stopped;
  }

  async tree(root: DiscoveryRoot, dir: string, depth: number): Promise<void> {
    if (depth > this.limits.maxDepth) {
      this.tooDeep = true; // this branch only: the walk goes on elsewhere
      return;
    }
    if (this.shouldStop()) return;
    const real = await realpath(dir).catch(() => null);
    if (!real || this.seenDirs.has(real)) return; // missing, or a symlink loop / a folder already walked
    this.seenDirs.add(real);
    for (const entry of await sortedEntries(dir)) {
      this.entries++;
      if (this.shouldStop()) return;
      const path = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await stat(path).catch(() => null);
        isDir = target?.isDirectory() ?? false;
        isFile = target?.isFile() ?? false;
      }
      if (isDir) {
        if (SKIP_DIRS.has(entry.name)) continue;
        // In the HF cache only snapshots/ holds named files; blobs/ has the same files under hashes.
        if (root.layout === "huggingface" && entry.name === "blobs") continue;
        await this.tree(root, path, depth + 1);
      } else if (isFile && /\.gguf$/i.test(entry.name) && !PARTIAL.test(entry.name)) {
        await this.addFile(root, path, displayNameFor(root, path));
      }
    }
  }

  async ollama(root: DiscoveryRoot): Promise<void> {
    const manifests: string[] = [];
    await this.collectManifests(join(root.path, "manifests"), 0, manifests);
    for (const manifestPath of manifests) {
      if (this.shouldStop()) return;
      const manifest = await readSmallJson(manifestPath);
      const layers = (manifest as { layers?: unknown } | null)?.layers;
      if (!Array.isArray(layers)) continue;
      const name = ollamaModelName(relative(join(root.path, "manifests"), manifestPath));
      for (const layer of layers as { mediaType?: unknown; digest?: unknown }[]) {
        const kind = layer.mediaType === "application/vnd.ollama.image.model" ? "model" : layer.mediaType === "application/vnd.ollama.image.adapter" ? "adapter" : null;
        if (!kind || typeof layer.digest !== "string" || !/^sha256[:-][0-9a-f]{64}$/.test(layer.digest)) continue;
        const blob = join(root.path, "blobs", layer.digest.replace(":", "-"));
        await this.addFile(root, blob, kind === "adapter" ? `${name} (adapter)` : name, kind);
      }
    }
  }

  private async collectManifests(dir: string, depth: number, out: string[]): Promise<void> {
    // manifests/<registry>/<namespace>/<model>/<tag>
    if (depth > 5 || this.shouldStop()) return;
    for (const entry of await sortedEntries(dir)) {
      this.entries++;
      if (this.shouldStop()) return;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await this.collectManifests(path, depth + 1, out);
      else if (entry.isFile()) out.push(path);
    }
  }

  private async addFile(root: DiscoveryRoot, path: string, displayName: string, ollamaLayer?: "model" | "adapter"): Promise<void> {
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) return;
    const real = await realpath(path).catch(() => path);
    if (this.seenFiles.has(real)) return;
    this.seenFiles.add(real);
    this.files.push({
      path,
      realPath: real,
      source: root.source,
      displayName,
      sizeBytes: info.size,
      mtimeMs: info.mtimeMs,
      ...(ollamaLayer ? { ollamaLayer } : {}),
    });
  }
}

/** "registry.ollama.ai/library/qwen2.5-coder/1.5b" → "qwen2.5-coder:1.5b"; other registries keep their host. */
export function ollamaModelName(manifestRelativePath: string): string {
  const parts = manifestRelativePath.split(/[\\/]/).filter(Boolean);
  const tag = parts.pop() ?? "latest";
  const model = parts.pop() ?? "model";
  const namespace = parts.pop();
  const registry = parts.join("/");
  if (registry === "registry.ollama.ai") return namespace && namespace !== "library" ? `${namespace}/${model}:${tag}` : `${model}:${tag}`;
  return `${[registry, namespace, model].filter(Boolean).join("/")}:${tag}`;
}

function displayNameFor(root: DiscoveryRoot, path: string): string {
  const rel = relative(root.path, path).split(sep).join("/");
  if (root.layout === "huggingface") {
    const match = /^models--([^/]+?)--([^/]+)\/snapshots\/[^/]+\/(.+)$/.exec(rel);
    if (match) return `${match[1]}/${match[2]}/${match[3]}`;
  }
  return rel || basename(path);
}

/** A split model (x-00001-of-00003.gguf) is loaded from its first part: list that one, with the parts' total size. */
function collapseSplitParts(files: FoundFile[]): FoundFile[] {
  const groups = new Map<string, FoundFile[]>();
  const out: FoundFile[] = [];
  for (const file of files) {
    const match = SPLIT_PART.exec(file.path);
    if (!match) {
      out.push(file);
      continue;
    }
    const key = `${file.path.slice(0, match.index)}|${match[2]}`;
    groups.set(key, [...(groups.get(key) ?? []), file]);
  }
  for (const parts of groups.values()) {
    const first = parts.find((f) => /-00001-of-/i.test(f.path));
    if (!first) continue;
    out.push({ ...first, sizeBytes: parts.reduce((sum, f) => sum + f.sizeBytes, 0) });
  }
  return out;
}

async function readSmallJson(path: string): Promise<unknown> {
  try {
    const handle = await open(path, "r");
    try {
      const buffer = Buffer.alloc(256 * 1024);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      if (bytesRead === buffer.length) return null; // not a manifest
      return JSON.parse(buffer.toString("utf8", 0, bytesRead));
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Classification, cached per file

export interface FoundModel extends FoundFile {
  facts: ModelFacts;
}

export interface UnusableFile extends FoundFile {
  reason: string;
}

export interface ScanResult {
  /** Usable models (kind "model"), best known first. */
  models: FoundModel[];
  /** LoRA adapters found (Ollama adapter layers, GGUF adapters). */
  adapters: FoundModel[];
  /** GGUF files that cannot be used, with the reason (vocab-only, incomplete, not GGUF, projector). */
  unusable: UnusableFile[];
  truncated: boolean;
  elapsedMs: number;
}

/**
 * Finds and classifies the models on disk. Keeps the metadata of each file (by real path, size and mtime), so a
 * second scan reads only new or changed files.
 */
export class ModelScanner {
  private readonly cache = new Map<string, { key: string; result: Awaited<ReturnType<typeof inspectModelFile>> }>();

  async scan(roots: readonly DiscoveryRoot[], limits: Partial<DiscoveryLimits> = {}, signal?: AbortSignal): Promise<ScanResult> {
    const started = Date.now();
    const found = await findModelFiles(roots, limits, signal);
    const models: FoundModel[] = [];
    const adapters: FoundModel[] = [];
    const unusable: UnusableFile[] = [];
    for (const file of found.files) {
      if (signal?.aborted) break;
      const key = `${file.sizeBytes}:${file.mtimeMs}`;
      let cached = this.cache.get(file.realPath);
      if (!cached || cached.key !== key) {
        cached = { key, result: await inspectModelFile(file.path, signal) };
        this.cache.set(file.realPath, cached);
      }
      const result = cached.result;
      if (!result.ok) unusable.push({ ...file, reason: result.reason });
      else if (result.facts.kind === "lora" || file.ollamaLayer === "adapter") adapters.push({ ...file, facts: result.facts });
      else if (result.facts.kind === "model") models.push({ ...file, facts: result.facts });
      else unusable.push({ ...file, reason: describeKind(file, result.facts) });
    }
    return { models, adapters, unusable, truncated: found.truncated, elapsedMs: Date.now() - started };
  }
}

function describeKind(file: FoundFile, facts: ModelFacts): string {
  const name = basename(file.path);
  return facts.kind === "vocab-only"
    ? `${name} holds only a tokenizer (no weights), so it cannot generate text.`
    : `${name} is a vision projector (mmproj), not a language model.`;
}

/** A folder's entries in name order (the same results on every run); none when it cannot be read. */
async function sortedEntries(dir: string): Promise<Dirent[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [] as Dirent[]);
  return entries.sort((a, b) => a.name.localeCompare(b.name));
}
