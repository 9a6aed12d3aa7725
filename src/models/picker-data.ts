// What the model picker shows, as plain data: the models found on disk and the catalog's downloads, each with its
// size, its memory fit on this machine and what it can do. Built from a scan and the catalog only: no network.
import { basename } from "node:path";
import { estimateCatalogMemory, type CatalogModel, type ModelRole } from "./catalog";
import { SOURCE_LABELS, type FoundModel, type ScanResult } from "./discovery";
import { classifyFit, estimateMemory, formatBytes, type FitLevel, type FitVerdict, type MachineMemory } from "./memory-fit";
import type { AdapterStatus } from "./lora";
import { kvBytesPerToken } from "./model-facts";

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
  path?: string;
  catalog?: CatalogModel;
}

export interface PickerData {
  found: PickerEntry[];
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
  adapters?: AdapterStatus[];
}

const FIT_ORDER: Record<FitLevel, number> = { green: 0, amber: 1, red: 2 };
const FIT_WORDS: Record<FitLevel, string> = { green: "fits", amber: "tight", red: "too large" };

export function buildPickerData(input: PickerInput): PickerData {
  const found = input.scan.models.map((model) => foundEntry(model, input));
  found.sort((a, b) => Number(b.current) - Number(a.current) || FIT_ORDER[a.fit.level] - FIT_ORDER[b.fit.level] || a.label.localeCompare(b.label));
  const onDisk = new Set(input.scan.models.map((m) => basename(m.path).toLowerCase()));
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
    catalog,
    skipped: input.scan.unusable.map((file) => ({ path: file.path, reason: file.reason })),
    truncated: input.scan.truncated,
    adapters: input.adapters ?? [],
    machine: input.machine,
  };
}

function foundEntry(model: FoundModel, input: PickerInput): PickerEntry {
  const facts = model.facts;
  const contextSize = Math.min(input.contextSize, facts.trainContextSize ?? input.contextSize);
  const needs = estimateMemory({
    weightsBytes: facts.weightsBytes,
    kvBytesPerToken: facts.kv ? kvBytesPerToken(facts.kv) : null,
    contextSize,
    vocabSize: facts.vocabSize,
  });
  const fit = classifyFit(needs, input.machine);
  const capabilities: ModelRole[] = [...(facts.fimFamily ? (["completion"] as const) : []), ...(facts.hasChatTemplate ? (["chat"] as const) : [])];
  const label = facts.name && model.source !== "ollama" ? `${facts.name}` : model.displayName;
  const params = facts.parameterCount ? `${formatParams(facts.parameterCount)} params` : null;
  return {
    kind: "found",
    id: model.path,
    label,
    description: [formatBytes(model.sizeBytes), facts.quantization, `${FIT_WORDS[fit.level]}`, SOURCE_LABELS[model.source]].filter(Boolean).join(" · "),
    detail: [describeCapabilities(capabilities, facts.fimFamily), facts.architecture, params, model.displayName !== label ? model.displayName : null, fit.summary].filter(Boolean).join(" · "),
    sizeBytes: model.sizeBytes,
    fit,
    capabilities,
    current: input.currentPath !== "" && (input.currentPath === model.path || input.currentPath === model.realPath),
    path: model.path,
  };
}

function catalogEntry(model: CatalogModel, input: PickerInput): PickerEntry {
  const fit = classifyFit(estimateCatalogMemory(model, input.contextSize), input.machine);
  return {
    kind: "catalog",
    id: model.id,
    label: model.name,
    description: [`${formatBytes(model.sizeBytes)} download`, model.quantization, FIT_WORDS[fit.level], model.recommended ? "recommended" : null].filter(Boolean).join(" · "),
    detail: [describeCapabilities(model.roles, model.fimFamily), model.description, `licence ${model.licence}`, fit.summary].join(" · "),
    sizeBytes: model.sizeBytes,
    fit,
    capabilities: [...model.roles],
    current: false,
    catalog: model,
  };
}

function describeCapabilities(roles: readonly ModelRole[], fimFamily: string | null): string {
  const completion = roles.includes("completion") ? `completion${fimFamily ? ` (${fimFamily})` : ""}` : null;
  const chat = roles.includes("chat") ? "chat" : null;
  const parts = [completion, chat].filter(Boolean);
  return parts.length > 0 ? parts.join(" + ") : "no completion or chat template";
}

function formatParams(count: number): string {
  if (count >= 1e9) return `${(count / 1e9).toFixed(1)}B`;
  if (count >= 1e6) return `${Math.round(count / 1e6)}M`;
  return `${Math.round(count / 1e3)}K`;
}
