// An editor kept in memory, as the refactor actions' host: open documents are buffers (read from a project folder on
// disk), proposals are recorded instead of shown as diffs, and the user's part (an instruction, typing while the model
// writes, Escape on a proposal) is scripted by the test.
import { readFile, readdir } from "node:fs/promises";
import { basename, extname, join, relative, sep } from "node:path";
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
} from "../../../src/actions/action-host";
import { leadsOutside, readProjectFile } from "../../../src/actions/project-path";
import type { ContextPiece } from "../../../src/chat/prompt";

const LANGUAGES: Record<string, string> = { ".ts": "typescript", ".js": "javascript", ".py": "python", ".json": "json" };

export class MemoryDocument implements ActionDocument {
  readonly uri: string;
  readonly name: string;
  readonly languageId: string;

  constructor(
    root: string,
    readonly path: string,
    public buffer: string,
  ) {
    this.uri = join(root, path);
    this.name = basename(path);
    this.languageId = LANGUAGES[extname(path)] ?? "plaintext";
  }

  text(): string {
    return this.buffer;
  }

  /** Types `text` at the first occurrence of `at` (the start of the buffer for ""). */
  typeAt(at: string, text: string): void {
    const offset = this.buffer.indexOf(at);
    if (offset < 0) throw new Error(`${this.path} has no ${JSON.stringify(at)}`);
    this.buffer = this.buffer.slice(0, offset) + text + this.buffer.slice(offset);
  }
}

export class MemoryProposal implements ProposalView {
  readonly updates: string[] = [];
  /** What the model had written at each progress report. */
  readonly written: number[] = [];
  finished = false;
  /** The mark finish() put on the diff. */
  note: string | undefined;
  closed = false;

  constructor(
    readonly request: ProposalRequest,
    private readonly onUpdate: (proposal: MemoryProposal) => void,
  ) {}

  get target(): ActionDocument | NewFile {
    return "newFile" in this.request.target ? this.request.target.newFile : this.request.target;
  }

  update(newText: string): void {
    this.updates.push(newText);
    this.onUpdate(this);
  }

  progress(written: number): void {
    this.written.push(written);
  }

  finish(note?: string): void {
    this.finished = true;
    this.note = note;
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

export class MemoryEditor implements ActionHost {
  readonly documents = new Map<string, MemoryDocument>();
  readonly diagnosticsOf = new Map<string, EditorDiagnostic[]>();
  readonly shown: LineRange[] = [];
  readonly notices: ActionNotice[] = [];
  readonly progress: <T>(title: string, work: () => Promise<T>) => Promise<T>;
  readonly progressTitles: string[] = [];
  readonly proposals: MemoryProposal[] = [];
  readonly questions: { question: string; pieces: readonly ContextPiece[] }[] = [];
  readonly instructionLabels: string[] = [];
  /** What the user answers when asked for an instruction (undefined: Escape). */
  instruction: string | undefined;
  /** What the user does once the model has started writing. */
  whileWriting: () => void = () => {};
  /** What the user does when a proposal's text changes. */
  onUpdate: (proposal: MemoryProposal) => void = () => {};

  constructor(readonly root: string) {
    this.progress = async (title, work) => {
      this.progressTitles.push(title);
      const running = work();
      this.whileWriting();
      return running;
    };
  }

  /** Opens a file of the project in the editor (its text is read from disk once). */
  async open(path: string): Promise<MemoryDocument> {
    const open = this.documents.get(path);
    if (open) return open;
    const doc = new MemoryDocument(this.root, path, await readFile(join(this.root, path), "utf8"));
    this.documents.set(path, doc);
    return doc;
  }

  diagnostics(document: ActionDocument): readonly EditorDiagnostic[] {
    return this.diagnosticsOf.get(document.path) ?? [];
  }

  showTarget(_document: ActionDocument, range: LineRange): void {
    this.shown.push(range);
  }

  askInstruction(label: string): Promise<string | undefined> {
    this.instructionLabels.push(label);
    return Promise.resolve(this.instruction);
  }

  relativePath(pathOrUri: string): string {
    return relative(this.root, pathOrUri).split(sep).join("/");
  }

  async projectOf(): Promise<ActionProject> {
    const paths = (await readdir(this.root, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => this.relativePath(join(entry.parentPath, entry.name)));
    return {
      paths,
      read: (path) => readProjectFile(join(this.root, path)),
      open: (path) => this.open(path).catch(() => null),
      newFile: (path) => ({ uri: join(this.root, path), name: basename(path) }),
      leadsOutside: (path) => leadsOutside(this.root, path),
    };
  }

  propose(request: ProposalRequest): Promise<ProposalView> {
    const proposal = new MemoryProposal(request, (p) => this.onUpdate(p));
    this.proposals.push(proposal);
    return Promise.resolve(proposal);
  }

  notify(notice: ActionNotice): void {
    this.notices.push(notice);
  }

  askChat(question: string, pieces: readonly ContextPiece[]): Promise<void> {
    this.questions.push({ question, pieces });
    return Promise.resolve();
  }
}
