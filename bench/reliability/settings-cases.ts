// Hostile settings (test/fixtures/settings/hostile-settings.ts) through the reader Hearth uses (readSettings, which
// src/ide/config.ts feeds with VS Code's inspect()). For each case:
// - crashed: the reader threw;
// - ran-code: a key appeared on a built-in prototype;
// - unsafe: a value came out of its bounds (a thread count over the cores, a list over its cap, a path with a NUL, a
//   language map with a prototype), or, in Restricted Mode, a restricted setting took a value only the workspace gave
//   it, or the workspace's value was dropped without the user being told;
// - refused: Restricted Mode ignored the workspace's values and says so in a clear sentence;
// - accepted: read, with every value checked and bounded.
import { describeIgnoredSettings, readSettings, RESTRICTED_SETTINGS, type HearthConfig } from "../../src/common/settings";
import { declaredDefaults, HOSTILE_SETTINGS_CASES, settingsSource, type SettingsCase, type Values } from "../../test/fixtures/settings/hostile-settings";
import type { CaseVerdict } from "./case-pool";
import { pollutionSince, snapshotPrototypes } from "./canary";
import { describeError, isClearMessage } from "./outcomes";

export const SETTINGS_CORPUS = HOSTILE_SETTINGS_CASES.map((c, index) => ({ index, name: c.name }));

/** Cores the bench pretends the machine has, so a case's figures do not depend on the machine. */
const CORES = 8;
const MAX_LIST = 32;
const MAX_PATH = 4096;

export function openCases(): Promise<(index: number) => Promise<CaseVerdict>> {
  const defaults = declaredDefaults();
  return Promise.resolve((index: number) => {
    const spec = HOSTILE_SETTINGS_CASES[index];
    if (!spec) throw new Error(`no settings case ${index}`);
    return Promise.resolve(runSettingsCase(spec, defaults));
  });
}

export function runSettingsCase(spec: SettingsCase, defaults: Values): CaseVerdict {
  const before = snapshotPrototypes();
  let config: HearthConfig;
  const started = performance.now();
  try {
    config = readSettings(settingsSource(spec, defaults), { trusted: spec.trusted, cores: CORES });
  } catch (error) {
    return { outcome: "crashed", detail: `threw: ${describeError(error)}` };
  }
  const stallMs = performance.now() - started;
  const polluted = pollutionSince(before);
  if (polluted.length) return { outcome: "ran-code", detail: `polluted ${polluted.join(", ")}`, stallMs };
  const problems = [...boundsProblems(config), ...(spec.trusted ? [] : restrictedProblems(spec, defaults, config))];
  if (problems.length) return { outcome: "unsafe", detail: problems.join("; "), stallMs };
  const message = describeIgnoredSettings(config.ignored);
  if (message === undefined) return { outcome: "accepted", detail: "read, every value bounded", stallMs };
  return isClearMessage(message) ? { outcome: "refused", detail: message, stallMs } : { outcome: "unclear", detail: message, stallMs };
}

function boundsProblems(config: HearthConfig): string[] {
  const problems: string[] = [];
  const within = (what: string, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) problems.push(`${what} is ${value}, outside ${min}..${max}`);
  };
  within("threads", config.engine.threads, 0, CORES);
  within("contextSize", config.engine.contextSize, 512, 131072);
  within("contextTokens", config.completion.contextTokens, 128, 32768);
  within("idleUnloadMinutes", config.engine.idleUnloadMinutes, 0, 1440);
  within("codebase.maxFiles", config.codebase.maxFiles, 100, 200_000);
  within("codebase.chatTokens", config.codebase.chatTokens, 200, 16_000);
  if (config.engine.gpu !== "auto" && config.engine.gpu !== "off") problems.push(`gpu is ${String(config.engine.gpu)}`);
  if (typeof config.completion.enable !== "boolean") problems.push("completion.enable is not a boolean");
  const paths: [string, string[]][] = [
    ["model.path", [config.model.path]],
    ["chat.modelPath", [config.chat.modelPath]],
    ["models.downloadFolder", [config.models.downloadFolder]],
    ["model.loraAdapters", config.model.loraAdapters],
    ["models.folders", config.models.folders],
  ];
  for (const [what, list] of paths) {
    if (list.length > MAX_LIST) problems.push(`${what} has ${list.length} entries`);
    for (const path of list) {
      if (typeof path !== "string") problems.push(`${what} holds a ${typeof path}`);
      else if (path.length > MAX_PATH || path.includes("\u0000")) problems.push(`${what} holds a path of ${path.length} characters or with a NUL`);
    }
  }
  const languages = config.completion.languages;
  if (Object.getPrototypeOf(languages) !== null) problems.push("the language map has a prototype");
  if (Object.values(languages).some((v) => typeof v !== "boolean")) problems.push("the language map holds a value that is not a boolean");
  return problems;
}

/**
 * In Restricted Mode a restricted setting reads as if the workspace had set nothing, and every workspace value that
 * would have changed something is named in `ignored` (so the user is told).
 */
function restrictedProblems(spec: SettingsCase, defaults: Values, config: HearthConfig): string[] {
  const problems: string[] = [];
  const alone = readSettings(settingsSource({ ...spec, workspace: {}, folder: {} }, defaults), { trusted: false, cores: CORES });
  const pick = (c: HearthConfig): Record<string, unknown> => ({
    "hearth.model.path": c.model.path,
    "hearth.chat.modelPath": c.chat.modelPath,
    "hearth.model.loraAdapters": c.model.loraAdapters,
    "hearth.models.folders": c.models.folders,
    "hearth.models.downloadFolder": c.models.downloadFolder,
    "hearth.engine.threads": c.engine.threads,
    "hearth.engine.contextSize": c.engine.contextSize,
    "hearth.completion.contextTokens": c.completion.contextTokens,
  });
  const got = pick(config);
  const expected = pick(alone);
  for (const key of RESTRICTED_SETTINGS) {
    if (JSON.stringify(got[key]) !== JSON.stringify(expected[key])) problems.push(`${key} took the workspace's value in Restricted Mode`);
    const fromWorkspace = key in spec.folder ? spec.folder[key] : spec.workspace[key];
    const fromUser = key in spec.user ? spec.user[key] : defaults[key];
    if (fromWorkspace !== undefined && JSON.stringify(fromWorkspace) !== JSON.stringify(fromUser) && !config.ignored.includes(key)) {
      problems.push(`${key} from the workspace was dropped without saying so`);
    }
  }
  return problems;
}
