/**
 * Hearth's settings as values it can trust, from what VS Code's configuration reports (src/ide/config.ts feeds it).
 * Plain TypeScript, so the rules are unit-tested and the reliability bench can throw hostile settings at them.
 *
 * A cloned repository's .vscode/settings.json is input from a stranger. In Restricted Mode (an untrusted workspace)
 * the settings below take only the user's value or the default: each names a file Hearth would load into the engine
 * (a model, an adapter), a folder it would scan or write into, or a size that could exhaust memory or every core.
 * package.json lists the same keys under capabilities.untrustedWorkspaces.restrictedConfigurations.
 */
export const RESTRICTED_SETTINGS = [
  "hearth.model.path",
  "hearth.chat.modelPath",
  "hearth.embedding.modelPath",
  "hearth.nextEdit.modelPath",
  "hearth.model.loraAdapters",
  "hearth.models.folders",
  "hearth.models.downloadFolder",
  "hearth.engine.threads",
  "hearth.engine.contextSize",
  "hearth.completion.contextTokens",
] as const;

/** Every Hearth setting, typed; package.json's contributes.configuration declares the same keys. */
export interface HearthConfig {
  /**
   * path and loraAdapters as written (resolved against the workspace folder by the ide layer); loadOnStartup: load it
   * in the background after startup and after a change of model, before the first request.
   */
  model: { path: string; loraAdapters: string[]; loadOnStartup: boolean };
  /** modelPath: hearth.chat.modelPath as written; empty when the completion model answers chat too. */
  chat: { modelPath: string };
  /** modelPath: hearth.embedding.modelPath as written; empty: no embedding model (codebase search without vectors). */
  embedding: { modelPath: string };
  /** modelPath: hearth.nextEdit.modelPath as written; empty: next-edit suggestions are off. */
  nextEdit: { modelPath: string };
  /** Extra folders to look for GGUF models in, and where downloads go (empty: the default folder). */
  models: { folders: string[]; downloadFolder: string };
  completion: { enable: boolean; languages: Record<string, boolean>; contextTokens: number };
  /**
   * Codebase memory: whether it indexes, at most how many files, and the chat's share of its snippets. Bounded here: a
   * workspace's `"hearth.codebase.maxFiles": 1e12` (or a string, which compares as NaN) would lift the index's limit.
   */
  codebase: { enable: boolean; retrieveForEveryQuestion: boolean; chatTokens: number; maxFiles: number };
  engine: { threads: number; contextSize: number; gpu: "auto" | "off"; idleUnloadMinutes: number };
  /** Settings whose value from the workspace's settings was ignored (Restricted Mode), as full keys. */
  ignored: string[];
}

/** The parts of VS Code's WorkspaceConfiguration.inspect() result that decide a value. */
export interface InspectedSetting<T = unknown> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

export interface SettingsSource {
  /** `key` without the "hearth." prefix, as WorkspaceConfiguration.inspect() on the "hearth" section takes it. */
  inspect(key: string): InspectedSetting | undefined;
}

export interface SettingsContext {
  /** vscode.workspace.isTrusted. */
  trusted: boolean;
  /** CPU cores of this machine (os.availableParallelism()). */
  cores: number;
}

/** A path longer than any file system takes is not a path. */
const MAX_PATH = 4096;
/** Folders scanned and adapters stacked: more than this is a mistake or an attack, not a setup. */
const MAX_LIST = 32;
const MAX_LANGUAGES = 500;
const MAX_LANGUAGE_ID = 100;

/**
 * The value a setting takes: the workspace folder's, else the workspace's, else the user's, else the default, as VS
 * Code does; except that where the workspace may not decide (`workspaceMayDecide` false: Restricted Mode, restricted
 * key) its values are skipped, and `ignored` says whether they would have made a difference.
 */
export function takeSetting<T>(inspected: InspectedSetting<T> | undefined, workspaceMayDecide: boolean): { value: T | undefined; ignored: boolean } {
  if (!inspected) return { value: undefined, ignored: false };
  const user = inspected.globalValue !== undefined ? inspected.globalValue : inspected.defaultValue;
  const workspace = inspected.workspaceFolderValue !== undefined ? inspected.workspaceFolderValue : inspected.workspaceValue;
  if (workspace === undefined) return { value: user, ignored: false };
  if (workspaceMayDecide) return { value: workspace, ignored: false };
  return { value: user, ignored: JSON.stringify(workspace) !== JSON.stringify(user) };
}

/** Reads and checks every Hearth setting: wrong types take the default, numbers are clamped, lists and paths bounded. */
export function readSettings(source: SettingsSource, context: SettingsContext): HearthConfig {
  const ignored = new Set<string>();
  const restricted: ReadonlySet<string> = new Set(RESTRICTED_SETTINGS);
  const take = (key: string): unknown => {
    const full = `hearth.${key}`;
    const taken = takeSetting(source.inspect(key), context.trusted || !restricted.has(full));
    if (taken.ignored) ignored.add(full);
    return taken.value;
  };
  // A relative path is resolved against the workspace folder: in Restricted Mode it would name a file the untrusted
  // workspace supplies, even when the user's own settings hold it.
  const localPath = (key: string, path: string): string => {
    if (context.trusted || !path || isHomeOrAbsolute(path)) return path;
    ignored.add(`hearth.${key}`);
    return "";
  };
  const pathSetting = (key: string) => localPath(key, pathValue(take(key)));
  const pathList = (key: string) => stringList(take(key)).filter((path) => localPath(key, path) !== "");

  const config: HearthConfig = {
    model: { path: pathSetting("model.path"), loraAdapters: pathList("model.loraAdapters"), loadOnStartup: take("model.loadOnStartup") !== false },
    chat: { modelPath: pathSetting("chat.modelPath") },
    embedding: { modelPath: pathSetting("embedding.modelPath") },
    nextEdit: { modelPath: pathSetting("nextEdit.modelPath") },
    models: { folders: pathList("models.folders"), downloadFolder: pathSetting("models.downloadFolder") },
    completion: {
      enable: take("completion.enable") !== false,
      languages: booleanMap(take("completion.languages")),
      contextTokens: clampInt(take("completion.contextTokens"), 1024, 128, 32768),
    },
    codebase: {
      enable: take("codebase.enable") !== false,
      retrieveForEveryQuestion: take("codebase.retrieveForEveryQuestion") === true,
      chatTokens: clampInt(take("codebase.chatTokens"), 1500, 200, 16000),
      maxFiles: clampInt(take("codebase.maxFiles"), 20_000, 100, 200_000),
    },
    engine: {
      // More threads than cores only makes llama.cpp slower (0: the engine picks one fewer than the cores).
      threads: clampInt(take("engine.threads"), 0, 0, Math.max(1, context.cores)),
      contextSize: clampInt(take("engine.contextSize"), 4096, 512, 131072),
      gpu: take("engine.gpu") === "off" ? "off" : "auto",
      idleUnloadMinutes: clampInt(take("engine.idleUnloadMinutes"), 15, 0, 24 * 60),
    },
    ignored: [],
  };
  // In the order of RESTRICTED_SETTINGS, so the message reads the same every time.
  config.ignored = RESTRICTED_SETTINGS.filter((key) => ignored.has(key));
  return config;
}

/** One sentence for the user about the settings Restricted Mode ignored, or undefined when it ignored none. */
export function describeIgnoredSettings(ignored: readonly string[]): string | undefined {
  if (ignored.length === 0) return undefined;
  const paths = ignored.some((key) => /path|Adapters|folders|Folder/.test(key));
  const what = paths ? "the model path" : "the engine sizes";
  return `Hearth ignores ${what} from this workspace's settings until you trust it (Restricted Mode): ${ignored.join(", ")}. Your user settings still apply.`;
}

function isHomeOrAbsolute(path: string): boolean {
  return path === "~" || path.startsWith("~/") || path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith("\\\\");
}

function pathValue(value: unknown): string {
  if (typeof value !== "string") return "";
  const path = value.trim();
  return path.length <= MAX_PATH && !path.includes("\u0000") ? path : "";
}

/** The first MAX_LIST usable strings; a list of ten thousand is not walked to its end. */
function stringList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const list: string[] = [];
  for (let i = 0; i < value.length && list.length < MAX_LIST; i++) {
    const path = pathValue(value[i]);
    if (path) list.push(path);
  }
  return list;
}

/** A user-edited `{ "languageId": boolean }` object, without a prototype: a language named "constructor" is not set. */
function booleanMap(value: unknown): Record<string, boolean> {
  const map = Object.create(null) as Record<string, boolean>;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return map;
  const source = value as Record<string, unknown>;
  // Object.keys, not Object.entries: a hostile map of a hundred thousand languages is read up to the cap, not copied whole.
  const keys = Object.keys(source);
  let count = 0;
  for (let i = 0; i < keys.length && count < MAX_LANGUAGES; i++) {
    const key = keys[i]!;
    const entry = source[key];
    if (typeof entry !== "boolean" || key.length > MAX_LANGUAGE_ID || key === "__proto__") continue;
    map[key] = entry;
    count++;
  }
  return map;
}

function clampInt(value: unknown, fallback: number, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.round(value)));
}
