import type { EngineStatus } from "../engine/client-types";
import type { EngineTarget } from "../engine/engine-api";
import type { ViewModel } from "../webview/protocol";

/** What the chat itself is doing, which the engine's status cannot tell. */
export interface ChatActivity {
  /** The chat's own answer is streaming. */
  answering: boolean;
}

/**
 * The engine's state as the chat's header line, with a warning where the model has no chat template of its own. A busy
 * model is "answering" only while the chat's answer streams: a refactor action or a completion uses the same model.
 */
export function toViewModel(status: EngineStatus, chat: ChatActivity, target?: EngineTarget): ViewModel {
  const view = modelView(status, chat);
  // Where the question and its context go, always in sight while a server answers.
  return target?.kind === "server" ? { ...view, label: `${view.label} · on ${target.url}` } : view;
}

function modelView(status: EngineStatus, chat: ChatActivity): ViewModel {
  const name = (path: string) => path.split(/[\\/]/).pop() ?? path;
  switch (status.kind) {
    case "no-model":
      return { state: "none", label: status.problem.code === "not-configured" ? "No model chosen" : `Model not usable: ${status.problem.message}` };
    case "idle":
      return { state: "idle", label: `${name(status.modelPath)} · loads with the first question` };
    case "loading":
      return { state: "loading", label: `Loading ${name(status.modelPath)}… ${Math.round(status.progress * 100)}%` };
    case "ready": {
      const model = status.model;
      const warning =
        model.chatTemplate === null
          ? `${model.name} has no chat template in its file, so Hearth uses a generic chat format (${model.chatWrapper}). Answers may be worse than with the model's own template.`
          : undefined;
      return { state: "ready", label: `${model.name} · ${chat.answering ? "answering" : status.busy ? "busy with another request" : "ready"}`, ...(warning ? { warning } : {}) };
    }
    case "error":
      return { state: "error", label: `Engine error: ${status.error.message}` };
  }
}
