import type { ApplyPlan } from "../chat/apply-plan";
import type { ContextPiece } from "../chat/prompt";
import type { ProjectFiles } from "./test-frameworks";

// What an editor (or the CLI, or a test) must provide for the refactor actions to run. Everything here is plain data:
// the ide/ adapter translates vscode's Uri, Range and Diagnostic to and from these types.

/** 0-based line and character (UTF-16 code units, as in VS Code). */
export interface LinePosition {
  line: number;
  character: number;
}

export interface LineRange {
  start: LinePosition;
  end: LinePosition;
}

/** A document the action reads, and perhaps proposes to change. */
export interface ActionDocument {
  /** How the host finds the document again (a URI string in the editor, a file path in the CLI). */
  readonly uri: string;
  /** Workspace-relative path, for the prompt and the test-file layout. */
  readonly path: string;
  /** The file's name, for titles and messages. */
  readonly name: string;
  readonly languageId: string;
  /** The text now: read when the action starts, and again when the model is done (edits made meanwhile are rebased). */
  text(): string;
  /** The indentation unit the editor uses for it ("\t", "  " …), when it knows; else the runner detects it from the text. */
  readonly indentUnit?: string;
}

export type DiagnosticSeverity = "error" | "warning" | "information" | "hint";

/** A problem the editor reports in a document. */
export interface EditorDiagnostic {
  range: LineRange;
  message: string;
  severity: DiagnosticSeverity;
  source?: string;
}

/** A file that does not exist yet: Accept creates it. */
export interface NewFile {
  /** How the host creates it (a URI string in the editor, a file path in the CLI). */
  readonly uri: string;
  readonly name: string;
}

/** The project folder a document belongs to, as the test-file plan sees it. */
export interface ActionProject extends ProjectFiles {
  /** A file of the project by its project-relative path, or null when it does not exist. */
  open(path: string): Promise<ActionDocument | null>;
  /** How the host names a project-relative path that does not exist yet. */
  newFile(path: string): NewFile;
  /**
   * Whether writing to the project-relative path would land outside the project, its symlinks followed (project-path.ts
   * `leadsOutside`): a cloned repository's test file may be a link to ~/.bashrc.
   */
  leadsOutside(path: string): Promise<boolean>;
}

/** A proposed change: a range of a document (or a new file) and its replacement, shown while the model writes. */
export interface ProposalRequest {
  target: ActionDocument | { newFile: NewFile };
  plan: ApplyPlan;
  /** The diff's title. */
  title: string;
  /** The user stopped the model (Escape). */
  onCancel: () => void;
}

/** A proposal on screen: nothing is written until the user accepts it. */
export interface ProposalView {
  /** Shows new replacement text for the same range. */
  update(newText: string): void;
  /** How much the model has written so far (chunks of its answer, about a token each), while the text may lag. */
  progress?(written: number): void;
  /** The model is done: the user may accept it from now on; `note` marks the diff itself ("⚠ does not parse"). */
  finish(note?: string): void | Promise<void>;
  /** Closes it without writing anything. */
  close(): Promise<void>;
}

/** What the user is told: "stopped" is a passing note (the editor's status bar); "error" offers the log. */
export interface ActionNotice {
  level: "info" | "stopped" | "warning" | "error";
  message: string;
}

export interface ActionHost {
  /** Every problem the editor reports in the document (the runner keeps those in the target). */
  diagnostics(document: ActionDocument): readonly EditorDiagnostic[];
  /** Shows the user what the action works on (selects it) before the model starts. */
  showTarget(document: ActionDocument, range: LineRange): void;
  /** Edit with Instruction: asks the user what to do; undefined when they cancel. */
  askInstruction(label: string): Promise<string | undefined>;
  /** A file's path as the prompt shows it (relative to the workspace), from a path or a URI. */
  relativePath(pathOrUri: string): string;
  /** The project folder of the document, where the tests go; null outside any folder. */
  projectOf(document: ActionDocument): Promise<ActionProject | null>;
  /** Opens the proposal (a diff in the editor). */
  propose(request: ProposalRequest): Promise<ProposalView>;
  /** Reports that `work` is running, under `title`, until it settles. */
  progress<T>(title: string, work: () => Promise<T>): Promise<T>;
  notify(notice: ActionNotice): void;
  /** The project's rules section for the document (chat/project-rules.ts), "" when none; absent hosts send none. */
  projectRules?(document: ActionDocument): Promise<string>;
  /** Explain: asks the chat the question with the code attached; resolves when the answer is written. */
  askChat(question: string, pieces: readonly ContextPiece[]): Promise<void>;
}
