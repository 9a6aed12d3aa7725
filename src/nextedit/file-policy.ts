// Which files' edits the next-edit history may keep. Their text goes into a model's prompt, so this is the privacy
// rule: nothing in Restricted Mode (the workspace is a stranger's until trusted), nothing from a language the user
// turned Hearth off for, from a dependency or dot folder, or from a file that usually holds secrets.
import { isInExcludedFolder } from "../context/index/workspace-files";
import { isSecretFile } from "../context/secret-files";
import type { HistoryFile } from "./edit-history";

export interface FilePolicySettings {
  /** vscode.workspace.isTrusted. */
  trusted: boolean;
  /** hearth.completion.languages: a language set to false is off for every Hearth suggestion. */
  languages: Readonly<Record<string, boolean>>;
}

const SCHEMES = new Set(["file", "untitled", "vscode-remote"]);

export function mayRecordFile(file: HistoryFile, settings: FilePolicySettings): boolean {
  if (!settings.trusted) return false;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(file.uri)?.[1]?.toLowerCase();
  if (!scheme || !SCHEMES.has(scheme)) return false;
  if (settings.languages[file.languageId] === false) return false;
  if (isInExcludedFolder(file.path) || isSecretFile(file.path)) return false;
  return true;
}
