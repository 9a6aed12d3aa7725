import type { Event, Subscription } from "../common/event";
import type { EngineStatus } from "./client";

/**
 * Calls `forget` whenever another model (or none) takes the place of the one a status event last named: what was
 * cached from one model's output or tokenizer means nothing for another's. `initial` is the status now, when the
 * engine may already hold a model: that model is no change (its next event, a request starting, must not forget).
 */
export function onModelChange(statuses: Event<EngineStatus>, forget: () => void, initial?: EngineStatus): Subscription {
  let current = initial && modelPathOf(initial);
  return statuses((status) => {
    const path = modelPathOf(status);
    if (path === current) return;
    current = path;
    forget();
  });
}

function modelPathOf(status: EngineStatus): string | undefined {
  return status.kind === "ready" ? status.model.path : status.kind === "no-model" ? undefined : status.modelPath;
}
