import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { readSettings, type HearthConfig, type InspectedSetting } from "../common/settings";
import { stripJsonComments } from "../context/index/import-resolver";
import { numberOption, stringOption, UsageError, type ParsedArgs } from "./args";

/** The flags that set a Hearth setting, and its key without the "hearth." prefix. */
export const SETTING_FLAGS = {
  model: "model.path",
  "chat-model": "chat.modelPath",
  threads: "engine.threads",
  "context-size": "engine.contextSize",
  gpu: "engine.gpu",
  "context-tokens": "completion.contextTokens",
} as const;

const NUMBER_FLAGS: ReadonlySet<string> = new Set(["threads", "context-size", "context-tokens"]);
const PATH_FLAGS: ReadonlySet<string> = new Set(["model", "chat-model"]);

/** A settings file larger than this is not a settings file. */
const MAX_SETTINGS_BYTES = 1024 * 1024;

export interface CliSettingsSources {
  args: ParsedArgs;
  /** package.json's contributes.configuration: the defaults VS Code gives each setting. */
  defaults: ReadonlyMap<string, unknown>;
  /** Where paths given on the command line are relative to. */
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Hearth's settings for one CLI run, read by the same rules as the extension's (src/common/settings.ts), in the
 * places a user setting comes from in VS Code: `--settings FILE` (a settings.json: "hearth.*" keys, comments allowed),
 * HEARTH_MODEL for the model, and the flags, each over the one before; a setting none of them gives takes
 * package.json's default, as in the editor. A path on the command line is relative to the current folder.
 */
export function readCliSettings(sources: CliSettingsSources): HearthConfig {
  const file = settingsFile(stringOption(sources.args, "settings"), sources.cwd);
  const given = new Map<string, unknown>();
  for (const [key, value] of Object.entries(file)) if (key.startsWith("hearth.")) given.set(key.slice("hearth.".length), value);
  if (sources.env.HEARTH_MODEL) given.set("model.path", sources.env.HEARTH_MODEL);
  for (const [flag, key] of Object.entries(SETTING_FLAGS)) {
    if (!sources.args.options.has(flag)) continue;
    const text = stringOption(sources.args, flag);
    if (text === undefined) throw new UsageError(`--${flag} needs a value`);
    given.set(key, NUMBER_FLAGS.has(flag) ? numberOption(sources.args, flag, 0) : PATH_FLAGS.has(flag) ? resolve(sources.cwd, text) : text);
  }
  return readSettings(
    { inspect: (key): InspectedSetting => ({ defaultValue: sources.defaults.get(key), globalValue: given.get(key) }) },
    // The user names every file and folder on the command line: nothing comes from a stranger's workspace.
    { trusted: true, cores: availableParallelism() },
  );
}

/** The defaults package.json declares for Hearth's settings, keyed without the "hearth." prefix. */
export function settingDefaults(packageJson: unknown): Map<string, unknown> {
  const defaults = new Map<string, unknown>();
  const configuration = (packageJson as { contributes?: { configuration?: unknown } }).contributes?.configuration;
  for (const section of Array.isArray(configuration) ? configuration : [configuration]) {
    const properties = (section as { properties?: Record<string, { default?: unknown }> } | undefined)?.properties ?? {};
    for (const [key, schema] of Object.entries(properties)) {
      if (key.startsWith("hearth.")) defaults.set(key.slice("hearth.".length), schema.default);
    }
  }
  return defaults;
}

function settingsFile(path: string | undefined, cwd: string): Record<string, unknown> {
  if (path === undefined) return {};
  const full = resolve(cwd, path);
  let raw: string;
  try {
    raw = readFileSync(full, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the settings file ${full}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (raw.length > MAX_SETTINGS_BYTES) throw new UsageError(`the settings file ${full} is over 1 MB: not a settings file`);
  let value: unknown;
  try {
    // settings.json allows comments and trailing commas, as VS Code writes it.
    value = JSON.parse(stripJsonComments(raw).replace(/,(\s*[}\]])/g, "$1"));
  } catch (error) {
    throw new UsageError(`the settings file ${full} is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(`the settings file ${full} must hold one object of "hearth.*" keys, as settings.json does`);
  }
  return value as Record<string, unknown>;
}
