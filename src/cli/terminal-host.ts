// The refactor actions' host in a terminal (src/actions/action-host.ts): files on disk stand for the editor's
// documents, a proposal is kept to be printed instead of shown as a diff, and the user's part comes from the command
// line (the instruction, the problems to fix).
import { opendir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type {
  ActionDocument,
  ActionHost,
  ActionNotice,
  ActionProject,
  EditorDiagnostic,
  LineRange,
  NewFile,
  ProposalRequest,
  ProposalView,
} from "../actions/action-host";
import { leadsOutside, readProjectFile } from "../actions/project-path";
import { DEFAULT_RULES_TOKENS, readProjectRules, rulesBudget } from "../chat/project-rules";
import { pathInFolder } from "../completion/completion-pipeline";
import { DEFAULT_EXCLUDED_FOLDERS } from "../context/index/workspace-files";
import { languageIdForPath } from "../context/languages";
import type { OpenFile } from "./editor-session";

/** Files the test-file plan looks at (manifests, config files, test folders), at most; as many as the editor's. */
const PROJECT_FILES_MAX = 3000;
/** Folders deep, at most, that the project's files are listed from. */
const PROJECT_DEPTH_MAX = 24;

/** The proposal the action made: where it goes, and its text once the model is done. */
export interface TerminalProposal {
  request: ProposalRequest;
  text: string;
  finished: boolean;
  closed: boolean;
}

export class TerminalActionHost implements ActionHost {
  /** The lines the action works on, when it found them from a position (a declaration). */
  target: LineRange | undefined;
  proposal: TerminalProposal | undefined;
  readonly notices: ActionNotice[] = [];

  constructor(
    private readonly workspace: string,
    /** The problems the editor would report in the file (for Fix): from the command line. */
    private readonly problems: { uri: string; diagnostics: readonly EditorDiagnostic[] },
    /** The model's context window, for the project rules' budget (as the editor's). */
    private readonly windowTokens: () => number = () => DEFAULT_RULES_TOKENS * 8,
  ) {}

  diagnostics(document: ActionDocument): readonly EditorDiagnostic[] {
    return document.uri === this.problems.uri ? this.problems.diagnostics : [];
  }

  showTarget(_document: ActionDocument, range: LineRange): void {
    this.target = range;
  }

  /** The instruction comes with the request (--instruction); without one there is nobody to ask. */
  askInstruction(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  relativePath(pathOrUri: string): string {
    const path = pathOrUri.startsWith("file:") ? fileURLToPath(pathOrUri) : pathOrUri;
    return pathInFolder(this.workspace, path) ?? path;
  }

  /** The project rules the editor would send. The person at the terminal named this folder: it is trusted. */
  async projectRules(document: ActionDocument): Promise<string> {
    const file = document.uri.startsWith("file:") ? fileURLToPath(document.uri) : document.uri;
    return (await readProjectRules({ root: this.workspace, file, trusted: true, budgetTokens: rulesBudget(this.windowTokens()) })).text;
  }

  async projectOf(document: ActionDocument): Promise<ActionProject | null> {
    const path = document.uri.startsWith("file:") ? fileURLToPath(document.uri) : document.uri;
    if (pathInFolder(this.workspace, path) === undefined) return null;
    const root = this.workspace;
    return {
      paths: await listProjectFiles(root),
      read: (relative) => readProjectFile(join(root, relative)),
      open: async (relative) => {
        const text = await readFile(join(root, relative), "utf8").catch(() => null);
        return text === null ? null : fileDocument({ path: join(root, relative), uri: pathToFileURL(join(root, relative)).toString(), languageId: languageIdForPath(relative) ?? "plaintext", text }, relative);
      },
      newFile: (relative): NewFile => ({ uri: join(root, relative), name: basename(relative) }),
      leadsOutside: (relative) => leadsOutside(root, relative),
    };
  }

  propose(request: ProposalRequest): Promise<ProposalView> {
    const proposal: TerminalProposal = { request, text: request.plan.newText, finished: false, closed: false };
    this.proposal = proposal;
    return Promise.resolve({
      update: (text) => void (proposal.text = text),
      finish: () => void (proposal.finished = true),
      close: () => {
        proposal.closed = true;
        return Promise.resolve();
      },
    });
  }

  progress<T>(_title: string, work: () => Promise<T>): Promise<T> {
    return work();
  }

  notify(notice: ActionNotice): void {
    this.notices.push(notice);
  }

  askChat(): Promise<void> {
    return Promise.reject(new Error("Explain answers in the chat: ask the question with hearth chat"));
  }
}

/** A file as the actions see a document: read once, not changed while the action runs. */
export function fileDocument(file: OpenFile, relativePath: string): ActionDocument {
  return { uri: file.uri, path: relativePath, name: basename(file.path), languageId: file.languageId, text: () => file.text };
}

/** The project's files, workspace-relative, breadth-first, without generated and third-party folders. */
async function listProjectFiles(root: string): Promise<string[]> {
  const paths: string[] = [];
  let level = [{ dir: root, prefix: "", depth: 0 }];
  while (level.length > 0 && paths.length < PROJECT_FILES_MAX) {
    const next: typeof level = [];
    for (const { dir, prefix, depth } of level) {
      const handle = await opendir(dir).catch(() => null);
      if (!handle) continue;
      for await (const entry of handle) {
        const relative = `${prefix}${entry.name}`;
        if (entry.isDirectory()) {
          if (!DEFAULT_EXCLUDED_FOLDERS.has(entry.name) && depth < PROJECT_DEPTH_MAX) next.push({ dir: join(dir, entry.name), prefix: `${relative}/`, depth: depth + 1 });
        } else if (entry.isFile() && paths.length < PROJECT_FILES_MAX) {
          paths.push(relative);
        }
      }
    }
    level = next;
  }
  return paths;
}
