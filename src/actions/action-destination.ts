import type { ApplyPlan } from "../chat/apply-plan";
import type { ActionDocument, ActionHost, NewFile } from "./action-host";
import type { ActionTarget } from "./action-target";
import { detectTestFramework, testFileFor, type ProjectFiles, type TestFramework } from "./test-frameworks";

/** Where an action's result goes, and what the model's answer is cleaned against. */
export interface Destination {
  target: ActionDocument | { newFile: NewFile };
  plan: ApplyPlan;
  /** The text the result replaces ("" when it adds code). */
  original: string;
  /** The text around it: lines the model repeats from there are dropped. */
  before: string;
  after: string;
  /** Indentation of the place the code goes; by default the original's. */
  baseIndent?: string;
  /** Tests: the code is appended to a file (or is a new file), not put in place of the target. */
  appends: boolean;
}

/** Fix, Document and Edit: the result replaces the target. */
export function replaceTarget(document: ActionDocument, text: string, target: ActionTarget, summary: string): Destination {
  const original = text.slice(target.start, target.end);
  return {
    target: document,
    plan: { start: target.start, end: target.end, newText: original, summary },
    original,
    before: text.slice(0, target.start),
    after: text.slice(target.end),
    appends: false,
  };
}

export interface TestPlan {
  framework: TestFramework | null;
  /** Project-relative path of the test file. */
  testPath: string;
  /** The test file's text when it exists. */
  existing: string | undefined;
  destination: Destination;
}

const NO_PROJECT: ProjectFiles = { paths: [], read: () => Promise.resolve(null) };

/** Where tests go: the project's framework and layout decide the file; a new file is created on Accept. */
export async function planTests(host: ActionHost, document: ActionDocument): Promise<TestPlan> {
  const project = await host.projectOf(document);
  const framework = await detectTestFramework(project ?? NO_PROJECT, document.languageId);
  if (!project) return appendTo(framework, document.path, document);
  const testPath = testFileFor(document.path, framework, project.paths);
  // Refused before the model runs: Accept would append to, or create, whatever the link names.
  if (testPath !== document.path && (await project.leadsOutside(testPath))) {
    throw new Error(`the test file ${testPath} leads outside the workspace (a symlink to another place), so Hearth does not write tests there. Nothing was written.`);
  }
  const existing = testPath === document.path ? document : await project.open(testPath).catch(() => null);
  if (existing) return appendTo(framework, testPath, existing);
  const newFile = project.newFile(testPath);
  const plan = { start: 0, end: 0, newText: "", summary: `creates ${newFile.name}` };
  return { framework, testPath, existing: undefined, destination: { target: { newFile }, plan, original: "", before: "", after: "", baseIndent: "", appends: true } };
}

function appendTo(framework: TestFramework | null, testPath: string, file: ActionDocument): TestPlan {
  const text = file.text();
  const plan = { start: text.length, end: text.length, newText: "", summary: `adds tests to ${file.name}` };
  return { framework, testPath, existing: text, destination: { target: file, plan, original: "", before: text, after: "", baseIndent: "", appends: true } };
}

/** Tests appended to an existing file start after one blank line; a new file ends with a newline. */
export function placeCode(destination: Destination, code: string): string {
  if (!destination.appends) return code;
  if ("newFile" in destination.target) return `${code}\n`;
  const text = destination.before;
  const separator = text === "" ? "" : text.endsWith("\n\n") ? "" : text.endsWith("\n") ? "\n" : "\n\n";
  return `${separator}${code}\n`;
}

export function destinationName(destination: Destination): string {
  return "newFile" in destination.target ? destination.target.newFile.name : destination.target.name;
}
