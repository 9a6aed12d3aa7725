import { errorMessage } from "../../common/errors.js";
import type { EngineErrorPayload } from "../protocol.js";

/** An error the host can show as it is: it already says what went wrong and what to do. */
export class EngineFailure extends Error {
  constructor(readonly payload: EngineErrorPayload) {
    super(payload.message);
  }
}

export function cancelled(): EngineFailure {
  return new EngineFailure({ code: "cancelled", message: "Loading the model was cancelled." });
}

export function internal(error: unknown): EngineFailure {
  return new EngineFailure({ code: "internal", message: `The engine failed: ${errorMessage(error)}`, detail: error instanceof Error ? error.stack : undefined });
}
