import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { HearthConfig } from "../common/settings";
import type { Logger } from "../common/logger";
import { EngineClient } from "../engine/client";
import { engineSettingsOf, resolveUserPath } from "../engine/engine-settings";
import type { ModelInfo } from "../engine/protocol";
import { adviseSmallerModel } from "../models/smaller-model-advice";
import { UsageError } from "./args";

/** Where Hearth is installed: the folder of its package.json, with dist/ and grammars/ (the CLI runs from dist/). */
export interface HearthInstall {
  root: string;
  packageJson: unknown;
}

export function findInstall(from: string = __dirname): HearthInstall {
  for (let dir = from; ; dir = dirname(dir)) {
    const path = join(dir, "package.json");
    if (existsSync(path)) {
      const packageJson: unknown = JSON.parse(readFileSync(path, "utf8"));
      if ((packageJson as { name?: unknown }).name === "hearth") return { root: dir, packageJson };
    }
    if (dirname(dir) === dir) throw new Error(`no Hearth package.json above ${from}: run the CLI from its installed dist/cli.js`);
  }
}

/** An engine process, disposed after `work` however it ends. */
export async function withEngine<T>(options: { install: HearthInstall; logger: Logger }, work: (engine: EngineClient) => Promise<T>): Promise<T> {
  const engine = new EngineClient({ workerPath: join(options.install.root, "dist", "engine-worker.mjs"), logger: options.logger, adviseOnRefusal: adviseSmallerModel });
  try {
    return await work(engine);
  } finally {
    await engine.dispose();
  }
}

/**
 * Configures the engine as the extension would for these settings (relative paths against `workspace`, as the
 * extension resolves them against the first workspace folder) and loads the model for `role`: the completion model,
 * or the one that answers chat and actions (the chat model where one is set).
 */
export async function loadModel(
  engine: EngineClient,
  options: { config: HearthConfig; workspace: string; signal: AbortSignal; role?: "completion" | "chat" },
): Promise<ModelInfo> {
  const status = await engine.configure(engineSettingsOf(options.config, (path) => resolveUserPath(path, options.workspace)));
  if (status.kind === "no-model") throw new UsageError(`${status.problem.message} (give --model MODEL.gguf, HEARTH_MODEL or "hearth.model.path" in --settings)`);
  return options.role === "chat" ? engine.loadChat(options.signal) : engine.load(options.signal);
}

/** Log lines on stderr: errors always, the rest with --verbose. */
export function stderrLogger(verbose: boolean): Logger {
  const write = (level: string) => (message: string | Error) => {
    if (verbose || level === "error") console.error(`[${level}] ${typeof message === "string" ? message : message.message}`);
  };
  return { trace: () => undefined, debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
