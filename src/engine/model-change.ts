import type { Event, Subscription } from "../common/event";
import type { EngineStatus } from "./client";

/**
 * Calls `forget` whenever another model (or none) takes the place of the one a status event last named: what was
 * cached from one model's output or tokenizer means nothing for another's.
 */
export function onModelChange(statuses: Event<EngineStatus>, forget: () => void): Subscription {
  let current: string | undefined;
  return statuses((status) => {
    const path = status.kind === "ready" ? status.model.path : status.kind === "no-model" ? undefined : status.modelPath;
    if (path === current) return;
    current = path;
    forget();
  });
}
