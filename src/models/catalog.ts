// The curated catalog (catalog.json: data, not code) and what is derived from it: the download URL of an `hf:` source,
// the memory an entry needs. validateCatalog() is the schema; the unit tests run it over catalog.json, and loadCatalog()
// keeps only the entries that pass it. Every entry is pinned: a commit (never a movable branch such as `main`), the
// file's exact size and its SHA-256, so what is downloaded is exactly the file that was reviewed.
import catalogData from "./catalog.json";
import { kvBytesPerToken } from "./model-facts";
import { classifyFit, estimateMemory, type FitVerdict, type MachineMemory, type MemoryNeeds } from "./memory-fit";

/** "next-edit": rewrites a window from the user's recent edits (hearth.nextEdit.modelPath); it does nothing else. */
export type ModelRole = "completion" | "chat" | "embedding" | "next-edit";
export type ModelTier = "tiny" | "small" | "medium" | "large";

export interface CatalogModel {
  id: string;
  name: string;
  description: string;
  family: string;
  /** "1.5B", "30B-A3B". */
  parameters: string;
  tier: ModelTier;
  roles: ModelRole[];
  recommended?: boolean;
  /** `hf:<user>/<repo>/<path/to/file.gguf>#<commit>`, as node-llama-cpp's resolveModelFile reads it. */
  source: string;
  fileName: string;
  /** The file's exact size in bytes. */
  sizeBytes: number;
  /** Always true for an entry loadCatalog() keeps (the schema requires it). */
  sizeExact?: boolean;
  /** The file's SHA-256 (lower-case hex); every entry loadCatalog() keeps has one. */
  sha256?: string;
  quantization: string;
  /** The FIM family Hearth detects for it; null for a chat-only model. */
  fimFamily: string | null;
  chatTemplate: string | null;
  contextLength: number;
  /** SPDX id or the licence's name. */
  licence: string;
  kv: { layers: number; kvHeads: number; headDim: number };
  vocabSize: number;
  notes?: string;
  /** An embedding model's facts (the embedding role only); the prefixes are what its authors put before a text. */
  embedding?: EmbeddingFacts;
  /** The next-edit prompt format Hearth detects for it (the next-edit role only): "Sweep next-edit". */
  nextEditFamily?: string;
}

export interface EmbeddingFacts {
  dimensions: number;
  pooling: "mean" | "cls" | "last";
  /** Put before a search question (e.g. "search_query: "). */
  queryPrefix?: string;
  /** Put before a text to index (e.g. "search_document: "). */
  documentPrefix?: string;
}

export interface Catalog {
  version: number;
  about: string;
  models: CatalogModel[];
}

/** The catalog (catalog.json unless `data` is given), keeping only the entries that pass the schema, once each. */
export function loadCatalog(data: unknown = catalogData): Catalog {
  const root = (typeof data === "object" && data !== null ? data : {}) as Partial<Catalog>;
  const ids = new Set<string>();
  const sources = new Set<string>();
  const models: CatalogModel[] = [];
  for (const [index, entry] of (Array.isArray(root.models) ? root.models : []).entries()) {
    if (entryProblems(entry, index).length > 0 || ids.has(entry.id) || sources.has(entry.source)) continue;
    ids.add(entry.id);
    sources.add(entry.source);
    models.push(entry);
  }
  return { version: 1, about: typeof root.about === "string" ? root.about : "", models };
}

const ROLES: readonly string[] = ["completion", "chat", "embedding", "next-edit"];
/** Roles the catalog must offer a model for. */
const REQUIRED_ROLES: readonly string[] = ["completion", "chat", "embedding"];
const TIERS: readonly string[] = ["tiny", "small", "medium", "large"];
const HF_SOURCE = /^hf:([A-Za-z0-9][\w.-]*)\/([A-Za-z0-9][\w.-]*)\/((?:[\w.-]+\/)*[\w.-]+\.gguf)(?:#([\w.-]+))?$/;
/** A full Git commit id: a branch or a tag can move, a commit cannot. */
const COMMIT = /^[0-9a-f]{40}$/;

/** Every way the data can be wrong, as readable lines; empty when the catalog is sound. */
export function validateCatalog(data: unknown): string[] {
  const problems: string[] = [];
  const root = data as Partial<Catalog>;
  if (typeof data !== "object" || data === null) return ["the catalog is not an object"];
  if (root.version !== 1) problems.push("version must be 1");
  if (!Array.isArray(root.models) || root.models.length === 0) return [...problems, "models must be a non-empty array"];
  const ids = new Set<string>();
  const sources = new Set<string>();
  root.models.forEach((entry: Partial<CatalogModel>, index) => {
    problems.push(...entryProblems(entry, index));
    const at = `models[${index}]${typeof entry?.id === "string" ? ` (${entry.id})` : ""}`;
    if (typeof entry?.id === "string") {
      if (ids.has(entry.id)) problems.push(`${at}: duplicate id`);
      ids.add(entry.id);
    }
    if (typeof entry?.source === "string") {
      if (sources.has(entry.source)) problems.push(`${at}: duplicate source`);
      sources.add(entry.source);
    }
  });
  for (const role of REQUIRED_ROLES) {
    if (!root.models.some((m) => m?.roles?.includes(role as ModelRole))) problems.push(`no model for ${role}`);
  }
  return problems;
}

/** What is wrong with one entry on its own (duplicates are the catalog's concern). */
function entryProblems(value: unknown, index: number): string[] {
  const problems: string[] = [];
  const entry = value as Partial<CatalogModel>;
  const at = `models[${index}]${typeof entry?.id === "string" ? ` (${entry.id})` : ""}`;
  const bad = (message: string) => problems.push(`${at}: ${message}`);
  if (typeof entry !== "object" || entry === null) return [`${at}: not an object`];
  const str = (key: keyof CatalogModel) => typeof entry[key] === "string" && (entry[key] as string).trim() !== "";
  for (const key of ["id", "name", "description", "family", "parameters", "source", "fileName", "quantization", "licence"] as const) {
    if (!str(key)) bad(`${key} must be a non-empty string`);
  }
  if (typeof entry.id === "string" && !/^[a-z0-9][a-z0-9._-]*$/.test(entry.id)) bad("id must be lower-case letters, digits, '.', '_' or '-'");
  if (!TIERS.includes(entry.tier as string)) bad(`tier must be one of ${TIERS.join(", ")}`);
  if (!Array.isArray(entry.roles) || entry.roles.length === 0 || entry.roles.some((r) => !ROLES.includes(r))) bad("roles must list completion and/or chat, or embedding, or next-edit");
  const match = typeof entry.source === "string" ? HF_SOURCE.exec(entry.source) : null;
  if (!match) bad("source must be hf:<user>/<repo>/<file>.gguf#<commit>");
  else {
    if (match[3]?.split("/").pop() !== entry.fileName) bad("fileName must be the source's file name");
    if (!COMMIT.test(match[4] ?? "")) bad("source must pin a commit (#<40 hex digits>), not a branch, a tag or nothing");
  }
  if (!Number.isSafeInteger(entry.sizeBytes) || (entry.sizeBytes ?? 0) < 10_000_000) bad("sizeBytes must be an integer of at least 10 MB");
  if (entry.sizeExact !== true) bad("sizeExact must be true: sizeBytes is the file's exact size");
  if (!/^[0-9a-f]{64}$/.test(String(entry.sha256))) bad("sha256 must be the file's SHA-256, 64 lower-case hex digits");
  if (entry.fimFamily !== null && typeof entry.fimFamily !== "string") bad("fimFamily must be a string or null");
  if (entry.roles?.includes("completion") && !entry.fimFamily) bad("a completion model needs a fimFamily");
  if (entry.chatTemplate !== null && typeof entry.chatTemplate !== "string") bad("chatTemplate must be a string or null");
  if (entry.roles?.includes("chat") && !entry.chatTemplate) bad("a chat model needs a chatTemplate");
  const embedding = entry.roles?.includes("embedding") === true;
  if (embedding) problems.push(...embeddingProblems(entry, at));
  if (entry.roles?.includes("next-edit")) problems.push(...nextEditProblems(entry, at));
  else if (entry.nextEditFamily !== undefined) bad("nextEditFamily belongs to a next-edit model only");
  // An embedding model reads one chunk at a time: bge-small's 512 tokens are its real window.
  const minContext = embedding ? 256 : 2048;
  if (!Number.isSafeInteger(entry.contextLength) || (entry.contextLength ?? 0) < minContext) bad(`contextLength must be an integer ≥ ${minContext}`);
  if (!Number.isSafeInteger(entry.vocabSize) || (entry.vocabSize ?? 0) < 1000) bad("vocabSize must be an integer ≥ 1000");
  const kv = entry.kv;
  if (!kv || ![kv.layers, kv.kvHeads, kv.headDim].every((n) => Number.isSafeInteger(n) && n > 0)) bad("kv must give positive integers layers, kvHeads, headDim");
  if (entry.recommended !== undefined && typeof entry.recommended !== "boolean") bad("recommended must be a boolean");
  return problems;
}

/** An embedding entry: embedding only (it cannot generate), with its vector facts. */
function embeddingProblems(entry: Partial<CatalogModel>, at: string): string[] {
  const problems: string[] = [];
  if (entry.roles?.length !== 1) problems.push(`${at}: an embedding model has the embedding role only`);
  const facts = entry.embedding;
  if (!facts || !Number.isSafeInteger(facts.dimensions) || facts.dimensions <= 0) problems.push(`${at}: an embedding model needs embedding.dimensions`);
  else {
    if (!["mean", "cls", "last"].includes(facts.pooling)) problems.push(`${at}: embedding.pooling must be mean, cls or last`);
    for (const key of ["queryPrefix", "documentPrefix"] as const) {
      if (facts[key] !== undefined && (typeof facts[key] !== "string" || facts[key].length > 200)) problems.push(`${at}: embedding.${key} must be a short string`);
    }
  }
  return problems;
}

/**
 * A next-edit entry: next-edit only. Sweep's models keep their Qwen2.5-Coder base's FIM tokens and template, but were
 * trained to rewrite a window from edits: offered as a completion or chat model they would answer with noise.
 */
function nextEditProblems(entry: Partial<CatalogModel>, at: string): string[] {
  const problems: string[] = [];
  if (entry.roles?.length !== 1) problems.push(`${at}: a next-edit model has the next-edit role only`);
  if (entry.fimFamily !== null || entry.chatTemplate !== null) problems.push(`${at}: a next-edit model has fimFamily and chatTemplate null`);
  if (typeof entry.nextEditFamily !== "string" || entry.nextEditFamily.trim() === "") problems.push(`${at}: a next-edit model needs a nextEditFamily`);
  return problems;
}

/** The HTTPS URL an `hf:` source downloads from (Hugging Face's resolve endpoint, as node-llama-cpp builds it). */
export function resolveHfSource(source: string, endpoint = "https://huggingface.co"): string {
  const match = HF_SOURCE.exec(source);
  if (!match) throw new Error(`Not an hf: model source: ${source}`);
  const [, user, repo, path, revision] = match as unknown as [string, string, string, string, string | undefined];
  const file = path.split("/").map(encodeURIComponent).join("/");
  return `${endpoint.replace(/\/+$/, "")}/${encodeURIComponent(user)}/${encodeURIComponent(repo)}/resolve/${encodeURIComponent(revision ?? "main")}/${file}`;
}

/** A short "where from" for the confirmation: huggingface.co/<user>/<repo>. */
export function describeSource(source: string): string {
  const match = HF_SOURCE.exec(source);
  return match ? `huggingface.co/${match[1]}/${match[2]}` : source;
}

/** The memory a catalog entry needs with Hearth's context (capped at the model's own). */
export function estimateCatalogMemory(model: CatalogModel, contextSize: number): MemoryNeeds {
  return estimateMemory({
    weightsBytes: model.sizeBytes,
    kvBytesPerToken: kvBytesPerToken({ layers: model.kv.layers, kvHeads: model.kv.kvHeads, keyLength: model.kv.headDim, valueLength: model.kv.headDim }),
    contextSize: Math.min(contextSize, model.contextLength),
    vocabSize: model.vocabSize,
  });
}

export interface SmallerModelQuery {
  role: ModelRole;
  machine: MachineMemory;
  /** hearth.engine.contextSize. */
  contextSize: number;
  /** Only models smaller than this (the refused model's file size); any size when absent. */
  belowBytes?: number;
}

/**
 * The model to offer when the chosen one will not fit: the largest catalog model of the same role that fits in the
 * memory free now with room to spare (green), preferring a recommended one of equal size; null when none does.
 */
export function suggestSmallerModel(models: readonly CatalogModel[], query: SmallerModelQuery): { model: CatalogModel; fit: FitVerdict } | null {
  let best: { model: CatalogModel; fit: FitVerdict } | null = null;
  for (const model of models) {
    if (!model.roles.includes(query.role)) continue;
    if (query.belowBytes !== undefined && model.sizeBytes >= query.belowBytes) continue;
    const fit = classifyFit(estimateCatalogMemory(model, query.contextSize), query.machine);
    if (fit.level !== "green") continue;
    const better =
      !best ||
      model.sizeBytes > best.model.sizeBytes ||
      (model.sizeBytes === best.model.sizeBytes && Boolean(model.recommended) && !best.model.recommended);
    if (better) best = { model, fit };
  }
  return best;
}
