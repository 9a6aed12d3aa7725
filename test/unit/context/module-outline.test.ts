import * as assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../../src/common/logger";
import { parseImportStatement } from "../../../src/context/imports";
import { outlineModule } from "../../../src/context/module-outline";
import { InThreadSymbolIndex } from "../../../src/context/index/symbol-index";
import type { SymbolDefinition } from "../../../src/context/symbol-types";
import { grammarsDir, removeDir } from "./fixtures";

describe("outlineModule", () => {
  const constant = (name: string, line: number): SymbolDefinition => ({
    name,
    kind: "constant",
    path: "/w/constants.py",
    startLine: line,
    endLine: line,
    text: `${name} = ${line}`,
    header: `${name} = ${line}`,
  });
  const many = Array.from({ length: 60 }, (_, i) => constant(`SETTING_NUMBER_${i}_WITH_A_LONG_NAME`, i));
  const members = [...many.slice(0, 30), constant("LOG_THRESHOLD_FOR_CONNLOST_WRITES", 30), ...many.slice(30)];

  it("keeps, in a short outline, the members whose names share words with the code near the cursor", () => {
    const outline = outlineModule("constants", "/w/constants.py", members, ["_conn_lost", "write", "self"]);
    assert.ok(outline);
    assert.match(outline.header, /\bLOG_THRESHOLD_FOR_CONNLOST_WRITES\b/);
    assert.ok(outline.header.length < outline.text.length);
    assert.match(outline.header, /\n…$/, "says that members were left out");
  });

  it("lists the kept members in the module's own order", () => {
    const outline = outlineModule("constants", "/w/constants.py", members, ["number_5", "number_2"]);
    const lines = (outline?.header ?? "").split("\n").filter((l) => l !== "…" && !l.startsWith("also: "));
    const order = lines.map((l) => members.findIndex((m) => l.startsWith(m.name + " ")));
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
  });

  it("names, after the signatures that fit, the rest of a large module's members", () => {
    const helpers = Array.from({ length: 50 }, (_, i): SymbolDefinition => ({
      ...constant(`helper${i}`, i * 3),
      kind: "function",
      header: `function helper${i}(value, options = { deep: true, strict: false }, callback) {`,
    }));
    const outline = outlineModule("utils", "/w/constants.py", helpers, []);
    assert.ok(outline);
    for (const i of [0, 30, 49]) assert.match(outline.text, new RegExp(`\\bhelper${i}\\b`), `helper${i}`);
    assert.ok(outline.startLine === 0 && outline.endLine === 49 * 3, `lines ${outline.startLine}-${outline.endLine}`);
    assert.ok(outline.text.length <= 1200, `${outline.text.length} characters`);
  });

  it("names, in the short outline of a large module, most of its members rather than a few signatures", () => {
    const helpers = Array.from({ length: 50 }, (_, i): SymbolDefinition => ({
      ...constant(`helper${i}`, i * 3),
      kind: "function",
      header: `function helper${i}(value, options = { deep: true }) {`,
    }));
    const outline = outlineModule("utils", "/w/utils.js", helpers.map((h) => ({ ...h, path: "/w/utils.js" })), []);
    assert.ok(outline);
    const named = helpers.filter((h) => new RegExp(`\\b${h.name}\\b`).test(outline.header)).length;
    assert.ok(named >= 35, `${named} of 50 members named in ${outline.header.length} characters`);
    assert.ok(outline.header.length <= 480, `${outline.header.length} characters`);
  });

  it("keeps a large Python module's short outline within about 60 tokens, so a tight budget holds several modules' rather than one", () => {
    const helpers = Array.from({ length: 50 }, (_, i): SymbolDefinition => ({ ...constant(`helper${i}`, i * 3), path: "/w/utils.py" }));
    const outline = outlineModule("utils", "/w/utils.py", helpers, []);
    assert.ok(outline);
    assert.ok(outline.header.length <= 220, `${outline.header.length} characters: ${outline.header}`);
  });

  it("writes a large Python module's short outline as names alone: a class's signature line costs a dozen names", () => {
    const classes = Array.from({ length: 30 }, (_, i): SymbolDefinition => ({
      ...constant(`Protocol${i}`, i * 3),
      kind: "class",
      path: "/w/protocols.py",
      header: `class Protocol${i}(BaseProtocol):  # An interface for a protocol of kind ${i}, with a long comment`,
    }));
    const outline = outlineModule("protocols", "/w/protocols.py", classes, []);
    assert.ok(outline);
    assert.doesNotMatch(outline.header, /^class /m, outline.header);
    assert.match(outline.header, /^also: Protocol0, Protocol1, /, outline.header);
  });

  it("puts first, even in the short outline, a member the code near the cursor names exactly", () => {
    const similar = Array.from({ length: 40 }, (_, i) => ({ ...constant(`forEachEntryOfTheMap${i}`, i), path: "/w/utils.js", header: `function forEachEntryOfTheMap${i}(map, fn, thisArg) {` }));
    const members = [...similar, { ...constant("forEach", 40), path: "/w/utils.js", header: "function forEach(obj, fn, {allOwnKeys = false} = {}) {" }];
    const outline = outlineModule("utils", "/w/utils.js", members, ["forEach", "items"]);
    assert.match(outline?.header ?? "", /^function forEach\(/m);
  });

  it("writes a decorated function whose header is its decorator alone as its def line", () => {
    const def: SymbolDefinition = { name: "from_code", kind: "function", path: "/w/errors.py", startLine: 6, endLine: 8, text: "@classmethod\ndef from_code(cls, code):\n    return cls()", header: "@classmethod" };
    assert.equal(outlineModule("errors", "/w/errors.py", [def], [])?.text, "def from_code(cls, code):");
  });

  it("writes a decorated function with a long parameter list as its signature on one line", () => {
    const def: SymbolDefinition = {
      name: "sleep",
      kind: "function",
      path: "/w/tasks.py",
      startLine: 3,
      endLine: 9,
      text: "",
      header: "@types.coroutine\nasync def sleep(\n    delay,\n    result=None,\n):",
    };
    assert.equal(outlineModule("tasks", "/w/tasks.py", [def], [])?.text, "async def sleep(delay, result=None,):");
  });
});

describe("module outlines in the workspace index", function () {
  this.timeout(20_000);

  it("outlines a TypeScript namespace import's module, and not a module imported by name", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hearth-outline-"));
    const index = new InThreadSymbolIndex({ grammarsDir, logger: silentLogger });
    try {
      writeFileSync(join(dir, "ErrorCodes.ts"), 'export const invalidFilePath = "invalid_file_path";\nexport const platformNotSupported = "platform_not_supported";\n');
      writeFileSync(join(dir, "Client.ts"), "export class Client {\n  send(): void {}\n}\n");
      await index.indexFolders([dir]);
      const statements = [
        'import * as ErrorCodes from "./ErrorCodes";',
        'import { Client } from "./Client";',
      ].flatMap((s) => parseImportStatement(s, "typescript", 0));
      assert.equal(statements[0]?.namespace, "ErrorCodes");
      const result = await index.query({
        fromPath: join(dir, "main.ts"),
        languageId: "typescript",
        imports: statements.map((s) => ({ specifier: s.specifier, names: s.names, ...(s.namespace ? { namespace: s.namespace } : {}) })),
        names: ["ErrorCodes", "Client"],
        maxPerName: 2,
      });
      const outlines = result?.definitions.filter((d) => d.kind === "outline") ?? [];
      assert.deepEqual(outlines.map((o) => o.name), ["ErrorCodes"]);
      assert.match(outlines[0]?.text ?? "", /export const platformNotSupported = "platform_not_supported";/);
    } finally {
      index.dispose();
      removeDir(dir);
    }
  });
});
