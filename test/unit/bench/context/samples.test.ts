// Which lines the recall bench removes: lines that use another file's symbol, a few per file, the same every run.
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ImportResolver } from "../../../../src/context/index/import-resolver";
import { seededRandom } from "../../../../bench/context/definition-recall";
import { ModuleReader } from "../../../../bench/context/recall/module-facts";
import { ModuleGraph } from "../../../../bench/context/recall/module-graph";
import { pickSamples, samplesOfFile } from "../../../../bench/context/recall/samples";

const REPO_ROOT = join(__dirname, "..", "..", "..", "..", "..");
const accept = (name: string): boolean => name.length >= 3 && name !== "default";

describe("bench: choosing the lines to remove", function () {
  this.timeout(20_000);
  let reader: ModuleReader;
  let root: string;
  let graph: ModuleGraph;

  before(async () => {
    reader = await ModuleReader.create(join(REPO_ROOT, "node_modules"));
  });
  after(() => reader.dispose());
  beforeEach(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), "hearth-samples-")));
    const resolver = new ImportResolver(() => [root]);
    graph = new ModuleGraph(root, (p) => reader.readFile(p), (from, spec, python) => resolver.resolve(from, spec, python ? "python" : "typescript"));
    writeFileSync(join(root, "lib.ts"), "export function alpha() {}\nexport function beta() {}\nexport function gamma() {}\nexport function delta() {}\n");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const linesOf = (file: string, picked: { file: string; line: number }[]): string[] => {
    const text = readFileSync(join(root, file), "utf8").split("\n");
    return picked.filter((s) => s.file === join(root, file)).map((s) => text[s.line].trim());
  };

  it("leaves out import lines, lines that declare something and decorator lines", () => {
    writeFileSync(
      join(root, "use.ts"),
      [
        "import { alpha, beta } from './lib';",
        "export const top = alpha();",
        "function named(x = beta()) {",
        "  return beta();",
        "}",
        "class Widget {",
        "  @alpha()",
        "  size = 1;",
        "}",
        "",
      ].join("\n"),
    );
    assert.deepEqual(linesOf("use.ts", samplesOfFile(join(root, "use.ts"), graph, accept)), ["return beta();"]);
  });

  it("takes the first use on a line that reaches another file, and skips the file's own names", () => {
    writeFileSync(join(root, "use.ts"), "import { alpha, gamma } from './lib';\nfunction own() {}\nfunction f() {\n  own(gamma(), alpha());\n  own();\n}\n");
    const samples = samplesOfFile(join(root, "use.ts"), graph, accept);
    assert.deepEqual(samples.map((s) => [s.line, s.symbol]), [[3, "gamma"]]);
  });

  it("names no symbol the product would never look up (too short, a keyword)", () => {
    writeFileSync(join(root, "short.ts"), "export const ab = 1;\n");
    writeFileSync(join(root, "use.ts"), "import { ab } from './short';\nfunction f() {\n  return ab + 1;\n}\n");
    assert.deepEqual(samplesOfFile(join(root, "use.ts"), graph, accept), []);
  });

  it("draws at most three lines per file, the same ones for the same seed", () => {
    const body = Array.from({ length: 8 }, (_, i) => `  x${i} = ${["alpha", "beta", "gamma", "delta"][i % 4]}();`).join("\n");
    for (const name of ["a.ts", "b.ts"]) writeFileSync(join(root, name), `import { alpha, beta, gamma, delta } from './lib';\nlet x0, x1, x2, x3, x4, x5, x6, x7;\nfunction f() {\n${body}\n}\n`);
    const files = ["a.ts", "b.ts"].map((f) => join(root, f));
    const first = pickSamples(files, graph, accept, 100, seededRandom(7));
    assert.equal(first.length, 6);
    assert.equal(first.filter((s) => s.file === files[0]).length, 3);
    assert.deepEqual(pickSamples(files, graph, accept, 100, seededRandom(7)), first);
    assert.equal(pickSamples(files, graph, accept, 4, seededRandom(7)).length, 4);
  });
});
