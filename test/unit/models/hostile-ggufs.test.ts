// The hostile GGUF corpus (test/fixtures/models/hostile-ggufs.ts) against the host-side reader and the scan: every
// case is refused with a clear message, in bounded time, and leaves the built-in prototypes as they were.
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { ModelScanner } from "../../../src/models/discovery";
import { GgufReadError, readGgufSummary } from "../../../src/models/gguf-metadata";
import { inspectModelFile, showableModelName } from "../../../src/models/model-facts";
import { hostileGgufs, prototypeSnapshot, restorePrototypes, type HostileGguf } from "../../fixtures/models/hostile-ggufs";

/** Far above what any case takes (well under 100 ms even on a loaded machine): reaching it means a hang. */
const DEADLINE_MS = 10_000;

function withinDeadline<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${DEADLINE_MS} ms (a hang)`)), DEADLINE_MS);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function title(gguf: HostileGguf): string {
  switch (gguf.expect) {
    case "refused":
      return `refuses ${gguf.name} with a clear message`;
    case "incomplete":
      return `reads the header of ${gguf.name} and refuses it as incomplete`;
    case "no-tensors":
      return `reads ${gguf.name} and never takes it for a model`;
  }
}

describe("models: the hostile GGUF corpus", function () {
  this.timeout(30_000);
  const cases = hostileGgufs();
  const clean = prototypeSnapshot();
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "hearth-hostile-corpus-"));
  });
  afterEach(() => restorePrototypes(clean));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("has unique names and covers every group", () => {
    assert.equal(new Set(cases.map((c) => c.name)).size, cases.length);
    const groups = new Set(cases.map((c) => c.group));
    for (const group of ["magic", "version", "header", "array", "string", "type", "tensor", "alignment", "pollution", "truncation", "shape"]) {
      assert.ok(groups.has(group as HostileGguf["group"]), `no case in the group ${group}`);
    }
  });

  cases.forEach((gguf, index) => {
    it(title(gguf), async () => {
      const path = join(dir, `case-${index}.gguf`);
      await gguf.write(path);
      const read = await withinDeadline(
        readGgufSummary(path).then(
          (summary) => ({ summary, error: undefined }),
          (error: unknown) => ({ summary: undefined, error }),
        ),
        "readGgufSummary",
      );
      assert.deepEqual(prototypeSnapshot(), clean, "reading the file changed a built-in prototype");
      const inspected = await withinDeadline(inspectModelFile(path), "inspectModelFile");
      assert.deepEqual(prototypeSnapshot(), clean, "inspecting the file changed a built-in prototype");
      if (gguf.expect === "refused") {
        assert.ok(read.error instanceof GgufReadError, `expected a GgufReadError, got ${read.error instanceof Error ? read.error.stack : JSON.stringify(read.summary?.version)}`);
        if (gguf.code) assert.equal(read.error.code, gguf.code, read.error.message);
        assert.match(read.error.message, gguf.says);
        assert.ok(read.error.message.length < 300 && ![...read.error.message].some((c) => c < " "), `an unclear message: ${read.error.message}`);
        assert.equal(inspected.ok, false);
        assert.ok(!inspected.ok && inspected.reason.includes(basename(path)), "the reason names the file");
      } else {
        assert.equal(read.error, undefined, String(read.error));
        if (gguf.expect === "incomplete") {
          assert.ok(!inspected.ok && gguf.says.test(inspected.reason), JSON.stringify(inspected));
        } else {
          assert.equal(read.summary?.tensorCount, 0);
          assert.ok(inspected.ok && inspected.facts.kind === "vocab-only", JSON.stringify(inspected));
          // The picker, the status bar and messages show the name: none that could fake a line or draw an icon.
          assert.equal(inspected.facts.name === null || showableModelName(inspected.facts.name) === inspected.facts.name, true, JSON.stringify(inspected.facts.name));
        }
      }
    });
  });

  it("lists no case as a model when they all lie in a scanned folder, and says why for each", async () => {
    const folder = join(dir, "scanned");
    const files = cases.map((gguf, index) => ({ gguf, path: join(folder, `case-${String(index).padStart(3, "0")}.gguf`) }));
    for (const { gguf, path } of files) await gguf.write(path);
    const scan = await withinDeadline(new ModelScanner().scan([{ source: "user", path: folder, layout: "files" }], { maxFiles: 10_000 }), "the scan");
    assert.deepEqual(prototypeSnapshot(), clean, "the scan changed a built-in prototype");
    assert.deepEqual(scan.models.map((m) => m.path), []);
    assert.deepEqual(scan.adapters.map((m) => m.path), []);
    const reasons = new Map(scan.unusable.map((file) => [file.path, file.reason]));
    for (const { gguf, path } of files) {
      if (gguf.name.startsWith("a folder")) continue; // a folder is walked into, not listed
      assert.ok(reasons.get(path), `${gguf.name} is not listed as unusable`);
    }
    for (const { gguf, path } of files.filter((f) => f.gguf.expect === "no-tensors")) assert.match(reasons.get(path) ?? "", gguf.says);
  });
});
