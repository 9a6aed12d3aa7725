import { basename } from "node:path";
import type { EngineStatus } from "../engine/client";
import type { EngineTarget } from "../engine/engine-api";
import type { EngineErrorCode } from "../engine/protocol";
import type { ModelFileProblem } from "../models/model-file";

// What the status bar says, from the engine's state alone (no `vscode` here, so it is tested as plain code). The text
// names the problem itself where the user can act on it (a truncated file, an unsupported GGUF version, a model that
// keeps crashing the engine); the tooltip has the full message.

/** What the status bar adds to the engine's state: the completion switches and the last suggestion's figures. */
export interface CompletionStatus {
  snoozedUntil: number;
  /** The active editor's language when completion is off for it. */
  disabledLanguage: string | null;
  last: { latencyMs: number; tokensPerSecond: number | null; source: string } | null;
}

export interface StatusView {
  text: string;
  tooltip: string;
  severity: "ok" | "warning" | "error";
}

/** A model file's problem, in the few words the status bar has room for. */
const PROBLEM_TEXT: Partial<Record<ModelFileProblem["code"], string>> = {
  truncated: "model truncated",
  "unsupported-version": "unsupported GGUF version",
  corrupt: "model file corrupt",
  "not-gguf": "not a GGUF model",
};

/** An engine error, in the few words the status bar has room for. */
const ERROR_TEXT: Partial<Record<EngineErrorCode, string>> = {
  "engine-crashed": "engine crashed",
  "engine-unresponsive": "engine stopped responding",
  "model-crash-loop": "model keeps crashing",
  "model-too-large": "model too large",
  "server-unreachable": "server unreachable",
  "server-auth": "server refused the key",
  "server-model-missing": "model not on the server",
  "server-busy": "server busy",
  "server-timeout": "server too slow",
  "server-bad-response": "server answer broken",
};

/** What the item says from the first moment of activation until the engine reports its first state. */
export const STARTING_VIEW: StatusView = { text: "$(sync~spin) Hearth: starting…", tooltip: "Hearth is starting: checking the model file.", severity: "ok" };

export function describeStatus(status: EngineStatus, completion?: CompletionStatus, target?: EngineTarget): StatusView {
  const view = target?.kind === "server" ? onServer(status, target.url) : describeEngine(status);
  if (!completion || status.kind === "no-model" || status.kind === "error") return view;
  const notes: string[] = [];
  let text = view.text;
  if (completion.snoozedUntil > Date.now()) {
    text = "$(bell-slash) Hearth: snoozed";
    notes.push(`Completions snoozed until ${new Date(completion.snoozedUntil).toLocaleTimeString()}.`);
  } else if (completion.disabledLanguage) {
    text = "$(circle-slash) Hearth";
    notes.push(`Completions are off for ${completion.disabledLanguage}.`);
  }
  if (completion.last) {
    const speed = completion.last.tokensPerSecond ? `, ${completion.last.tokensPerSecond.toFixed(0)} tokens/s` : "";
    notes.push(`Last suggestion: ${Math.round(completion.last.latencyMs)} ms (${completion.last.source}${speed}).`);
  }
  return { ...view, text, tooltip: [view.tooltip, ...notes].join("\n") };
}

/** A server's state: the cloud icon and the host in the text, the full address first in the tooltip. */
function onServer(status: EngineStatus, url: string): StatusView {
  const host = url.replace(/^https?:\/\//, "");
  const view = describeEngine(status);
  // The local model's facts (threads, CPU or GPU) are not the server's to tell.
  const tooltip =
    status.kind === "ready"
      ? `Hearth: ${status.model.name} ready${status.model.contextSize ? ` (context ${status.model.contextSize} per request)` : ""}${status.model.fimFormat ? `\nCompletion prompt format: ${status.model.fimFormat}` : ""}`
      : view.tooltip;
  return {
    ...view,
    text: `${view.text.replace("$(flame)", "$(cloud)")} · ${host}`,
    tooltip: `Requests go to the inference server at ${url} (hearth.engine.kind: server).\n${tooltip}`,
  };
}

function describeEngine(status: EngineStatus): StatusView {
  switch (status.kind) {
    case "no-model":
      return status.problem.code === "not-configured"
        ? { text: "$(circle-slash) Hearth: no model", tooltip: "Hearth: no model configured.\nClick to choose a GGUF model file.", severity: "warning" }
        : { text: `$(warning) Hearth: ${PROBLEM_TEXT[status.problem.code] ?? "model not usable"}`, tooltip: `Hearth: ${status.problem.message}\nClick to choose another model.`, severity: "warning" };
    case "idle":
      return { text: "$(flame) Hearth", tooltip: `Hearth: ${basename(status.modelPath)} is not loaded yet; it loads when first needed.`, severity: "ok" };
    case "loading": {
      // node-llama-cpp reports no progress for some loads: a bare 0% would read as stuck, so it says "…" until there is.
      const percent = Math.floor(status.progress * 100);
      return {
        text: `$(sync~spin) Hearth: loading model${percent > 0 ? ` ${Math.min(percent, 99)}%` : "…"}`,
        tooltip: `Hearth: loading ${basename(status.modelPath)}…`,
        severity: "ok",
      };
    }
    case "ready":
      return {
        text: status.busy ? "$(loading~spin) Hearth: ready" : "$(flame) Hearth: ready",
        tooltip: `Hearth: ${status.model.name} ready (${status.model.architecture}, context ${status.model.contextSize}${status.model.chatContextSize !== status.model.contextSize ? ` for completions, ${status.model.chatContextSize} for chat` : ""}, ${status.model.threads} thread(s)${status.model.gpu ? `, ${status.model.gpu}` : ", CPU"})${status.model.fimFormat ? `\nCompletion prompt format: ${status.model.fimFormat}` : "\nThis model has no fill-in-the-middle tokens: chat only."}${status.model.loraAdapters?.length ? `\nLoRA adapters: ${status.model.loraAdapters.map((adapter) => adapter.name).join(", ")}` : ""}`,
        severity: "ok",
      };
    case "error":
      return { text: `$(error) Hearth: ${ERROR_TEXT[status.error.code] ?? "error"}`, tooltip: `Hearth: ${status.error.message}\nClick for options; the log has the details.`, severity: "error" };
  }
}
