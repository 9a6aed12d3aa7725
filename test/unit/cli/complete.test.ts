// `hearth complete` end to end: the built CLI as a child process, the real engine on the scripted test model (it
// writes DEFAULT_SCRIPT.fim after any FIM prompt), the real grammars and workspace index.
import { strict as assert } from "node:assert";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_SCRIPT, ensureTestModel } from "../../fixtures/models/test-models";
import type { CompleteOutput } from "../../../src/cli/complete";
import { runCli, writeWorkspace } from "./run-cli";

const GEOMETRY = `export interface Point {
  x: number;
  y: number;
}

export function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}
`;

/** Line 8 is an empty line in a function body (several lines wanted); line 12 has its cursor before `;` (one line). */
const ROUTE = `import { distance, type Point } from "./geometry";

export function routeLength(points: Point[]): number {
  let total = 0;
  for (let i = 1; i < points.length; i++) {
    total += distance(points[i - 1], points[i]);
  }
  
}

export function stops(points: Point[]): number {
  const count = ;
  return count;
}
`;

/** A tab the user has open: code much like route.ts, whose window comes in as a snippet. */
const TAB = `export function pathLength(points: Point[]): number {
  let total = 0;
  for (let i = 1; i < points.length; i++) total += distance(points[i - 1], points[i]);
  return total;
}
`;

describe("hearth complete: the editor's suggestion at a position, from a terminal", function () {
  this.timeout(120_000);
  let workspace: { root: string; remove: () => void };
  let scripted: string;

  before(async () => {
    scripted = await ensureTestModel("scripted");
    workspace = writeWorkspace({ "src/geometry.ts": GEOMETRY, "src/route.ts": ROUTE, "notes/tab.ts": TAB, "notes/todo.txt": "Routes to draw:\n\n" });
  });

  after(() => workspace.remove());

  const complete = async (args: string[]): Promise<CompleteOutput> => {
    const run = await runCli(["complete", ...args, "--threads", "1"], { cwd: workspace.root });
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as CompleteOutput;
  };

  it("suggests the whole script on an empty line of a body, with the imported file's definitions in the prompt", async () => {
    const output = await complete(["src/route.ts:8:3", "--model", scripted]);
    assert.equal(output.completion, DEFAULT_SCRIPT.fim);
    const imported = output.context?.items.filter((item) => item.source === "imported-file").map((item) => item.path);
    assert.ok(imported?.includes("src/geometry.ts"), `imported-file items: ${JSON.stringify(output.context?.items)}`);
    assert.ok((output.generation?.promptTokens ?? 0) > 0);
  });

  it("prints one line, ending where the text after the cursor begins, in the middle of a statement (--text: the bare text)", async () => {
    const run = await runCli(["complete", "src/route.ts:12:17", "--model", scripted, "--threads", "1", "--text"], { cwd: workspace.root });
    assert.equal(run.code, 0, run.stderr);
    // The script's first line, without the `;` that already follows the cursor.
    assert.equal(run.stdout, DEFAULT_SCRIPT.fim.split("\n")[0]!.replace(/;$/, ""));
  });

  it("takes a file given with --open as an open tab: its code comes in as a recent-file snippet", async () => {
    const output = await complete(["src/route.ts:8:3", "--model", scripted, "--open", "notes/tab.ts"]);
    const snippets = output.context?.items.filter((item) => item.source === "recent-file").map((item) => item.path);
    assert.deepEqual(snippets, ["notes/tab.ts"]);
  });

  it("reads the settings file and lets a flag override it; a model path in the file is relative to the workspace", async () => {
    mkdirSync(join(workspace.root, "models"), { recursive: true });
    copyFileSync(scripted, join(workspace.root, "models", "scripted.gguf"));
    const settings = join(workspace.root, "settings.json");
    writeFileSync(settings, `{\n  // as VS Code writes it\n  "hearth.model.path": "models/scripted.gguf",\n  "hearth.completion.contextTokens": 512,\n}`);
    // Run from src/: the model path is not relative to the current folder.
    const inSrc = async (args: string[]) => {
      const run = await runCli(["complete", "route.ts:8:3", "--workspace", "..", "--settings", settings, "--threads", "1", ...args], { cwd: join(workspace.root, "src") });
      assert.equal(run.code, 0, run.stderr);
      return JSON.parse(run.stdout) as CompleteOutput;
    };
    assert.equal((await inSrc([])).context?.tokens.budget, 512);
    assert.equal((await inSrc(["--context-tokens", "768"])).context?.tokens.budget, 768);
  });

  it("shows nothing where completions are off for the language, by the extension's defaults (plain text)", async () => {
    const output = await complete(["notes/todo.txt:3:1", "--model", scripted]);
    assert.equal(output.completion, null);
    assert.match(output.reason ?? "", /off for plaintext/);
  });

  it("shows nothing in a secrets file, even in a language whose completions are on", async () => {
    const secrets = join(workspace.root, "src", ".env.ts");
    writeFileSync(secrets, "export const API_KEY = \"sk-live-1234\";\n\n");
    try {
      const output = await complete(["src/.env.ts:2:1", "--model", scripted]);
      assert.equal(output.completion, null);
      assert.match(output.reason ?? "", /secrets/);
    } finally {
      rmSync(secrets);
    }
  });

  it("says a model without fill-in-the-middle tokens cannot complete", async () => {
    const noFim = await ensureTestModel("scripted", { variant: "no-fim" });
    const output = await complete(["src/route.ts:8:3", "--model", noFim]);
    assert.equal(output.completion, null);
    assert.match(output.reason ?? "", /cannot fill in the middle/);
  });

  it("asks for a model when none is set, with exit code 2", async () => {
    const run = await runCli(["complete", "src/route.ts:8:3"], { cwd: workspace.root });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--model MODEL\.gguf/);
  });

  it("names a file it cannot read, with exit code 2", async () => {
    const run = await runCli(["complete", "src/missing.ts:1:1", "--model", scripted], { cwd: workspace.root });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /cannot read .*missing\.ts: ENOENT/);
  });

  it("refuses a settings file that is not JSON, naming it, with exit code 2", async () => {
    const settings = join(workspace.root, "broken.json");
    writeFileSync(settings, "{ hearth.model.path: nowhere");
    const run = await runCli(["complete", "src/route.ts:8:3", "--settings", settings], { cwd: workspace.root });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /broken\.json is not JSON/);
  });
});
