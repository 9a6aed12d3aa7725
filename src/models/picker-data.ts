// What the model picker shows, as plain data: the models found on disk and the catalog's downloads, each with its
// size, its memory fit on this machine and what it can do. Built from a scan and the catalog only: no network.
import { basename } from "node:path";
import { estimateCatalogMemory, type CatalogModel, type ModelRole } from "./catalog";
import { SOURCE_LABELS, type FoundModel, type ScanResult } from "./discovery";
import { classifyFit, estimateMemory, formatBytes, type FitLevel, type FitVerdict, type MachineMemory } from "./memory-fit";
import type { AdapterStatus } from "./lora";
import { kvBytesPerToken } from "./model-facts";
import type { NamedModels } from "./named-models";

export interface PickerEntry {
  kind: "found" | "catalog";
  /** The file path (found) or the catalog id. */
  id: string;
  label: string;
  /** One line: size, quantisation, fit, where it is. */
  description: string;
  /** What it can do and why, in words. */
  detail: string;
  sizeBytes: number;
  fit: FitVerdict;
  capabilities: ModelRole[];
  /** The model hearth.model.path names now. */
  current: boolean;
  /**
   * What it is the current model for: completion (hearth.model.path), chat (that or hearth.chat.modelPath), embedding
   * (hearth.embedding.modelPath), next-edit (hearth.nextEdit.modelPath); [] when none.
   */
  uses: ModelRole[];
  path?: string;
  catalog?: CatalogModel;
}

export interface PickerData {
  /** The models on this machine; the current ones first (completion, then chat), found by the scan or not. */
  found: PickerEntry[];
  /** A model the settings name that cannot be used (missing, incomplete, not a model), with the reason. */
  currentProblems: { path: string; reason: string; uses: ModelRole[] }[];
  catalog: PickerEntry[];
  /** Files skipped, with reasons (shown in the log, not the picker). */
  skipped: { path: string; reason: string }[];
  truncated: boolean;
  /** The LoRA adapters hearth.model.loraAdapters applies to the current model, each with any problem. */
  adapters: AdapterStatus[];
  /** The memory the fit was judged against (GPU included where the engine found one). */
  machine: MachineMemory;
}

export interface PickerInput {
  scan: ScanResult;
  catalog: readonly CatalogModel[];
  machine: MachineMemory;
  /** hearth.engine.contextSize. */
  contextSize: number;
  /** The resolved hearth.model.path, or "". */
  currentPath: string;
  /** The resolved hearth.chat.modelPath, or "" (the completion model answers chat). */
  chatPath?: string;
  /** The resolved hearth.embedding.modelPath, or "". */
  embeddingPath?: string;
  /** The resolved hearth.nextEdit.modelPath, or "". */
  nextEditPath?: string;
  /** The files the settings name that the scan did not find (inspectNamedModels). */
  named?: NamedModels;
  adapters?: AdapterStatus[];
}

const FIT_ORDER: Record<FitLevel, number> = { green: 0, amber: 1, red: 2 };
const FIT_WORDS: Record<FitLevel, string> = { green: "fits", amber: "tight", red: "too large" };

export function buildPickerData(input: PickerInput): PickerData {
  const models = [...(input.named?.models ?? []), ...input.scan.models];
  const named = new Set(input.named?.models ?? []);
  const found = models.map((model) => foundEntry(model, input, named.has(model)));
  found.sort((a, b) => useRank(a) - useRank(b) || FIT_ORDER[a.fit.level] - FIT_ORDER[b.fit.level] || a.label.localeCompare(b.label));
  const onDisk = new Set(models.map((m) => basename(m.path).toLowerCase()));
  const catalog = input.catalog
    .filter((model) => !onDisk.has(model.fileName.toLowerCase()))
    .map((model) => catalogEntry(model, input));
  catalog.sort(
    (a, b) =>
      FIT_ORDER[a.fit.level] - FIT_ORDER[b.fit.level] ||
      Number(b.catalog?.recommended ?? false) - Number(a.catalog?.recommended ?? false) ||
      a.sizeBytes - b.sizeBytes,
  );
  return {
    found,
    currentProblems: (input.named?.unusable ?? []).map((file) => ({ path: file.path, reason: file.reason, uses: usesOf(file, input) })),
    catalog,
    skipped: input.scan.unusable.map((file) => ({ path: file.path, reason: file.reason })),
    truncated: input.scan.truncated,
    adapters: input.adapters ?? [],
    machine: input.machine,
  };
}

function foundEntry(model: FoundModel, input: PickerInput, named: boolean): PickerEntry {
  const facts = model.facts;
  const contextSize = Math.min(input.contextSize, facts.trainContextSize ?? input.contextSize);
  const needs = estimateMemory({
    weightsBytes: facts.weightsBytes,
    kvBytesPerToken: facts.kv ? kvBytesPerToken(facts.kv) : null,
    contextSize,
    vocabSize: facts.vocabSize,
  });
  const fit = classifyFit(needs, input.machine);
  // A next-edit file has its base's FIM tokens and template, but was trained for nothing else: the catalog knows it.
  const nextEdit = input.catalog.some((m) => m.roles.includes("next-edit") && m.fileName.toLowerCase() === basename(model.path).toLowerCase());
  const capabilities: ModelRole[] = facts.embedding
    ? ["embedding"]
    : nextEdit
      ? ["next-edit"]
      : [...(facts.fimFamily ? (["completion"] as const) : []), ...(facts.hasChatTemplate ? (["chat"] as const) : [])];
  const label = facts.name && model.source !== "ollama" ? `${facts.name}` : model.displayName;
  const params = facts.parameterCount ? `${formatParams(facts.parameterCount)} params` : null;
  const uses = usesOf(model, input);
  // The row has two short lines: what a person decides by first (size, fit, what it can do), the rest after, so the
  // part the quick pick cuts off is the least needed.
  return {
    kind: "found",
    id: model.path,
    label,
    description: [formatBytes(model.sizeBytes), facts.quantization, FIT_WORDS[fit.level]].filter(Boolean).join(" · "),
    detail: [
      describeCapabilities(capabilities),
      fit.level === "green" ? null : fit.summary,
      params,
      named ? "from your settings" : SOURCE_LABELS[model.source],
      model.displayName !== label ? model.displayName : null,
    ]
      .filter(Boolean)
      .join(" · "),
    sizeBytes: model.sizeBytes,
    fit,
    capabilities,
    current: uses.includes("completion"),
    uses,
    path: model.path,
  };
}

function catalogEntry(model: CatalogModel, input: PickerInput): PickerEntry {
  const fit = classifyFit(estimateCatalogMemory(model, input.contextSize), input.machine);
  return {
    kind: "catalog",
    id: model.id,
    label: model.name,
    description: [formatBytes(model.sizeBytes), model.quantization, FIT_WORDS[fit.level], model.recommended ? "recommended" : null].filter(Boolean).join(" · "),
    detail: [describeCapabilities(model.roles), `licence ${model.licence}`, fit.level === "green" ? null : fit.summary, model.description].filter(Boolean).join(" · "),
    sizeBytes: model.sizeBytes,
    fit,
    capabilities: [...model.roles],
    current: false,
    uses: [],
    catalog: model,
  };
}

/**
 * What a file is the current model for: completion when hearth.model.path names it; chat when hearth.chat.modelPath
 * names it, or when it is the completion model and no chat model is set (it answers chat then).
 */
function usesOf(file: { path: string; realPath: string }, input: PickerInput): ModelRole[] {
  const names = (path: string | undefined) => Boolean(path) && (path === file.path || path === file.realPath);
  const chatPath = input.chatPath ?? "";
  const completion = names(input.currentPath);
  const chat = chatPath === "" ? completion : names(chatPath);
  const embedding = names(input.embeddingPath);
  const nextEdit = names(input.nextEditPath);
  return [
    ...(completion ? (["completion"] as const) : []),
    ...(chat ? (["chat"] as const) : []),
    ...(embedding ? (["embedding"] as const) : []),
    ...(nextEdit ? (["next-edit"] as const) : []),
  ];
}

/** The current completion model first, then the chat, embedding and next-edit models, then the rest. */
function useRank(entry: PickerEntry): number {
  const rank = (["completion", "chat", "embedding", "next-edit"] as const).findIndex((role) => entry.uses.includes(role));
  return rank < 0 ? 4 : rank;
}

function describeCapabilities(roles: readonly ModelRole[]): string {
  if (roles.includes("embedding")) return "embedding (codebase search)";
  if (roles.includes("next-edit")) return "next-edit suggestions only";
  const completion = roles.includes("completion") ? "completion" : null;
  const chat = roles.includes("chat") ? "chat" : null;
  const parts = [completion, chat].filter(Boolean);
  return parts.length > 0 ? parts.join(" + ") : "no completion or chat template";
}

function formatParams(count: number): string {
  if (count >= 1e9) return `${(count / 1e9).toFixed(1)}B`;
  if (count >= 1e6) return `${Math.round(count / 1e6)}M`;
  return `${Math.round(count / 1e3)}K`;
}

/**
 * What a chosen model can be used for: "both" sets hearth.model.path and clears hearth.chat.modelPath (one model serves
 * both); "completion" sets hearth.model.path only; "chat" sets hearth.chat.modelPath; "embedding" sets
 * hearth.embedding.modelPath (codebase search); "next-edit" sets hearth.nextEdit.modelPath.
 */
export type ModelUse = "completion" | "chat" | "both" | "embedding" | "next-edit";

/**
 * The uses the picker offers for a model with these capabilities (a file chosen by path has none known: all of them).
 * An embedding or next-edit model does that one thing and nothing else, so it is not asked about; a model that cannot
 * complete offers chat first.
 */
export function usesToOffer(capabilities?: readonly ModelRole[]): ModelUse[] {
  if (capabilities?.includes("embedding")) return ["embedding"];
  if (capabilities?.includes("next-edit")) return ["next-edit"];
  const generation: ModelUse[] = ["both", "completion", "chat"];
  if (!capabilities) return [...generation, "embedding", "next-edit"];
  return capabilities.includes("completion") ? generation : ["chat", "both", "completion"];
}

// ---------------------------------------------------------------------------------------------------------------------
// The picker's rows, as text: what the person reads, top to bottom (the ide layer maps them to quick pick items)

/** What choosing a row does. */
export type PickerAction =
  | { kind: "use"; entry: PickerEntry }
  | { kind: "download"; entry: PickerEntry }
  | { kind: "browse" }
  | { kind: "look-again" }
  | { kind: "adapter-setting" }
  | { kind: "none" };

export type PickerRow = { separator: string } | { label: string; description: string; detail?: string; action: PickerAction; alwaysShow?: boolean };

const FIT_ICONS: Record<FitLevel, string> = { green: "$(pass)", amber: "$(warning)", red: "$(error)" };

/** The rows for `data`; null while the scan runs (only Browse… is there yet). */
export function pickerRows(data: PickerData | null): PickerRow[] {
  const browse: PickerRow = { label: "$(folder-opened) Browse…", description: "choose a GGUF file", action: { kind: "browse" }, alwaysShow: true };
  if (!data) return [browse];
  const rows: PickerRow[] = [{ separator: "On this machine" }];
  for (const problem of data.currentProblems) {
    rows.push({ label: `$(warning) ${basename(problem.path)}`, description: `${describeUses(problem.uses)} · cannot be used`, detail: problem.reason, action: { kind: "browse" } });
  }
  if (data.found.length === 0 && data.currentProblems.length === 0) {
    rows.push({ label: "$(info) No GGUF models found", description: "LM Studio, Ollama, Hugging Face cache, Jan, GPT4All, hearth.models.folders", action: { kind: "none" } });
  }
  for (const entry of data.found) {
    const current = entry.uses.length > 0;
    rows.push({
      label: `${current ? "$(check)" : FIT_ICONS[entry.fit.level]} ${entry.label}`,
      description: current ? `${describeUses(entry.uses)} · ${entry.description}` : entry.description,
      detail: entry.detail,
      action: { kind: "use", entry },
    });
  }
  if (data.adapters.length > 0) {
    rows.push({ separator: "LoRA adapters (hearth.model.loraAdapters)" });
    for (const adapter of data.adapters) {
      rows.push({
        label: `${adapter.problem ? "$(error)" : "$(layers)"} ${adapter.name}`,
        description: adapter.problem ? "cannot be applied" : "applied on top of the current model",
        detail: adapter.problem ?? adapter.path,
        action: { kind: "adapter-setting" },
      });
    }
  }
  // No label: every row below says "Download", and a label would take the first row's room on the right.
  if (data.catalog.length > 0) rows.push({ separator: "" });
  for (const entry of data.catalog) {
    rows.push({ label: `$(cloud-download) Download ${entry.label}`, description: `${FIT_ICONS[entry.fit.level]} ${entry.description}`, detail: entry.detail, action: { kind: "download", entry } });
  }
  rows.push({ separator: "" }, browse, {
    label: "$(refresh) Look Again",
    description: data.truncated ? "some folders were too large to search fully" : "",
    action: { kind: "look-again" },
    alwaysShow: true,
  });
  return rows;
}

/** "current" when one model serves completion and chat, else what it is current for. */
function describeUses(uses: readonly ModelRole[]): string {
  return uses.includes("completion") && uses.includes("chat") ? "current" : uses.length > 0 ? `current for ${uses.join(" and ")}` : "";
}
