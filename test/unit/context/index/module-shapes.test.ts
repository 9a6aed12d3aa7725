import * as assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { silentLogger } from "../../../../src/common/logger";
import { InThreadSymbolIndex } from "../../../../src/context/index/symbol-index";
import type { DefinitionQuery, FoundDefinition } from "../../../../src/context/symbol-types";
import { grammarsDir, removeDir } from "../fixtures";

/** Writes `files` (path → text) under a new folder. */
function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "hearth-shapes-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function lookUp(dir: string, query: Omit<DefinitionQuery, "fromPath" | "maxPerName"> & { from: string }): Promise<FoundDefinition[]> {
  const index = new InThreadSymbolIndex({ grammarsDir, logger: silentLogger });
  try {
    await index.indexFolders([dir]);
    const { from, ...rest } = query;
    const result = await index.query({ ...rest, fromPath: join(dir, from), maxPerName: 2 });
    assert.ok(result);
    return result.definitions;
  } finally {
    index.dispose();
  }
}

/** The outline found for `name`, which must show `member` and span the line where `member` is defined in `path`. */
function assertOutlineShows(defs: readonly FoundDefinition[], name: string, member: string, path: string, line: number): void {
  const outline = defs.find((d) => d.kind === "outline" && d.name === name);
  assert.ok(outline, `no outline for ${name}; found ${defs.map((d) => `${d.kind} ${d.name}`).join(", ")}`);
  assert.ok(outline.path.endsWith(path), outline.path);
  assert.ok(outline.text.includes(member), outline.text);
  assert.ok(outline.startLine <= line && line <= outline.endLine, `lines ${outline.startLine}-${outline.endLine}, want ${line}`);
}

describe("module shapes the index follows", function () {
  this.timeout(30_000);
  const dirs: string[] = [];
  after(() => dirs.forEach(removeDir));
  const ws = (files: Record<string, string>): string => {
    const dir = workspace(files);
    dirs.push(dir);
    return dir;
  };

  it("outlines the members of a default-imported object (`export default { … }`)", async () => {
    const dir = ws({
      "helpers.js": "const kindOf = (x) => typeof x;\n\nfunction isPlainObject(val) {\n  return kindOf(val) === 'object';\n}\n\nconst toNumber = (v) => +v;\n\nexport default {\n  isPlainObject,\n  toNumber,\n  kind: kindOf,\n};\n",
      "app.js": "import helpers from './helpers.js';\n\nexport function run(x) {\n  return helpers.toNumber(x);\n}\n",
    });
    const defs = await lookUp(dir, { from: "app.js", languageId: "javascript", imports: [{ specifier: "./helpers.js", names: ["helpers"], defaultName: "helpers" }], names: ["helpers", "run"] });
    assertOutlineShows(defs, "helpers", "isPlainObject", "helpers.js", 2);
    assertOutlineShows(defs, "helpers", "kindOf", "helpers.js", 0);
  });

  it("outlines a required module's `module.exports = { … }`, methods written inline included", async () => {
    const dir = ws({
      "lib/utils.js": "'use strict';\n\nfunction isToken(t) {\n  return !!t;\n}\n\nmodule.exports = {\n  isToken,\n  isComma(token) {\n    return token.value === ',';\n  },\n  LINEBREAK: /\\n/u,\n};\n",
      "lib/rule.js": "const utils = require('./utils');\n\nmodule.exports = (t) => utils.isToken(t);\n",
    });
    const defs = await lookUp(dir, { from: "lib/rule.js", languageId: "javascript", imports: [{ specifier: "./utils", names: ["utils"], defaultName: "utils" }], names: ["utils"] });
    assertOutlineShows(defs, "utils", "isComma", "lib/utils.js", 8);
    assertOutlineShows(defs, "utils", "isToken", "lib/utils.js", 2);
    assertOutlineShows(defs, "utils", "LINEBREAK", "lib/utils.js", 11);
  });

  it("outlines a module that exports by assignment (`exports.x = …`)", async () => {
    const dir = ws({
      "util.js": "exports.quote = function (s) {\n  return `'${s}'`;\n};\nmodule.exports.MAX = 10;\n",
      "main.js": "const util = require('./util');\nconsole.log(util.quote('a'));\n",
    });
    const defs = await lookUp(dir, { from: "main.js", languageId: "javascript", imports: [{ specifier: "./util", names: ["util"], defaultName: "util" }], names: ["util"] });
    assertOutlineShows(defs, "util", "quote", "util.js", 0);
    assertOutlineShows(defs, "util", "MAX", "util.js", 3);
  });

  it("outlines the members of a TypeScript module's default-exported object", async () => {
    const dir = ws({
      "src/format.ts": "export function pad(s: string, n: number): string {\n  return s.padStart(n);\n}\n\nconst format = { pad, upper: (s: string) => s.toUpperCase() };\nexport default format;\n",
      "src/main.ts": "import format from './format';\nformat.pad('a', 2);\n",
    });
    const defs = await lookUp(dir, { from: "src/main.ts", languageId: "typescript", imports: [{ specifier: "./format", names: ["format"], defaultName: "format" }], names: ["format"] });
    assertOutlineShows(defs, "format", "pad", "src/format.ts", 0);
    assertOutlineShows(defs, "format", "upper", "src/format.ts", 4);
  });

  it("outlines what a default-exported object spreads (`export default { ...utils, ...platform }`)", async () => {
    const dir = ws({
      "platform/common/utils.js": "const hasBrowserEnv = typeof window !== 'undefined';\n\nexport { hasBrowserEnv };\n",
      "platform/node/index.js": "export default {\n  isNode: true,\n  protocols: ['http'],\n};\n",
      "platform/index.js": "import platform from './node/index.js';\nimport * as utils from './common/utils.js';\n\nexport default {\n  ...utils,\n  ...platform,\n};\n",
      "main.js": "import platform from './platform/index.js';\nplatform.isNode;\n",
    });
    const defs = await lookUp(dir, { from: "main.js", languageId: "javascript", imports: [{ specifier: "./platform/index.js", names: ["platform"], defaultName: "platform" }], names: ["platform"] });
    const outlines = defs.filter((d) => d.kind === "outline" && d.name === "platform");
    assertOutlineShows(outlines.filter((d) => d.path.endsWith("utils.js")), "platform", "hasBrowserEnv", "platform/common/utils.js", 0);
    assertOutlineShows(outlines.filter((d) => d.path.endsWith("node/index.js")), "platform", "isNode", "platform/node/index.js", 1);
  });

  it("does not outline a default-imported class or function as an object", async () => {
    const dir = ws({
      "Thing.js": "export default class Thing {\n  run() {}\n}\n",
      "main.js": "import Thing from './Thing.js';\nnew Thing().run();\n",
    });
    const defs = await lookUp(dir, { from: "main.js", languageId: "javascript", imports: [{ specifier: "./Thing.js", names: ["Thing"], defaultName: "Thing" }], names: ["Thing"] });
    assert.ok(!defs.some((d) => d.kind === "outline"), defs.map((d) => d.kind).join(", "));
    assert.ok(defs.some((d) => d.kind === "class" && d.name === "Thing"));
  });

  it("outlines the static members of an imported class, what `NodeAuthError.create…()` can be followed by", async () => {
    const dir = ws({
      "src/NodeAuthError.ts": "export class NodeAuthError extends Error {\n  constructor(code: string) {\n    super(code);\n  }\n\n  describe(): string {\n    return this.message;\n  }\n\n  static createTimeoutError(ms: number): NodeAuthError {\n    return new NodeAuthError(`timeout ${ms}`);\n  }\n\n  static readonly DEFAULT_CODE = \"unknown\";\n}\n",
      "src/client.ts": "import { NodeAuthError } from './NodeAuthError';\nthrow NodeAuthError.createTimeoutError(5);\n",
      "py/errors.py": "class Status:\n    OK = 0\n\n    def describe(self):\n        return 'x'\n\n    @classmethod\n    def from_code(cls, code):\n        return cls()\n",
      "py/main.py": "from errors import Status\n\nStatus.from_code(1)\n",
    });
    const ts = await lookUp(dir, { from: "src/client.ts", languageId: "typescript", imports: [{ specifier: "./NodeAuthError", names: ["NodeAuthError"] }], names: ["NodeAuthError"] });
    assertOutlineShows(ts, "NodeAuthError", "createTimeoutError", "src/NodeAuthError.ts", 9);
    assert.ok(!ts.find((d) => d.kind === "outline")?.text.includes("describe"), "instance methods are not what the class name is followed by");
    const py = await lookUp(dir, { from: "py/main.py", languageId: "python", imports: [{ specifier: "errors", names: ["Status"] }], names: ["Status"] });
    assertOutlineShows(py, "Status", "from_code", "py/errors.py", 7);
  });

  it("outlines the class attributes of an imported Python class used as a namespace (`_Reasons.UNSUPPORTED_MAC`, an enum's `Encoding.Raw`)", async () => {
    const dir = ws({
      "errors.py":
        "import enum\n\n\nclass _Reasons(enum.Enum):\n    UNSUPPORTED_HASH = 1\n    UNSUPPORTED_MAC = 2\n\n\nclass Encoding(enum.Enum):\n    PEM = 'PEM'\n    Raw = 'Raw'\n\n\n@dataclass\nclass Point:\n    x: int = 0\n\n    def norm(self):\n        limit = 3\n        return limit\n",
      "main.py": "from errors import _Reasons, Encoding, Point\n\nraise ValueError(_Reasons.UNSUPPORTED_HASH)\n",
    });
    const imports = [{ specifier: "errors", names: ["_Reasons", "Encoding", "Point"] }];
    const defs = await lookUp(dir, { from: "main.py", languageId: "python", imports, names: ["_Reasons", "Encoding", "Point"] });
    assertOutlineShows(defs, "_Reasons", "UNSUPPORTED_MAC", "errors.py", 5);
    assertOutlineShows(defs, "Encoding", "Raw", "errors.py", 10);
    // A dataclass's annotated field belongs to its instances, a method's local to the method: neither follows `Point.`.
    assert.ok(!defs.some((d) => d.kind === "outline" && d.name === "Point"), defs.map((d) => `${d.kind} ${d.name}: ${d.text}`).join("\n"));
  });

  it("weighs a Python class's outline of its attributes by their share of its members, and looks none up by its own name", async () => {
    const dir = ws({
      "lib.py":
        "class _Reasons:\n    UNSUPPORTED_HASH = 1\n    UNSUPPORTED_MAC = 2\n\n\nclass Backend:\n    name = 'openssl'\n\n    def start(self):\n        pass\n\n    def stop(self):\n        pass\n\n    def hash(self):\n        pass\n",
      "main.py": "from lib import _Reasons, Backend\n",
    });
    const imports = [{ specifier: "lib", names: ["_Reasons", "Backend"] }];
    const defs = await lookUp(dir, { from: "main.py", languageId: "python", imports, names: ["_Reasons", "Backend", "UNSUPPORTED_MAC"] });
    const outline = (name: string) => defs.find((d) => d.kind === "outline" && d.name === name);
    assert.equal(outline("_Reasons")?.weight ?? 1, 1);
    assert.equal(outline("Backend")?.weight, 0.25, "one attribute among three methods");
    assert.ok(!defs.some((d) => d.name === "UNSUPPORTED_MAC"), "reached through `_Reasons.`, in its outline");
  });

  it("takes what a Python package's __init__.py imports from its modules as the package's own (`serialization.Encoding.Raw`)", async () => {
    const dir = ws({
      "crypto/serialization/__init__.py": "from crypto.serialization._formats import (\n    Encoding,\n)\n\n__all__ = ['Encoding']\n",
      "crypto/serialization/_formats.py": "import enum\n\n\nclass Encoding(enum.Enum):\n    PEM = 'PEM'\n    Raw = 'Raw'\n",
      "crypto/backend.py": "from crypto import serialization\n\n\ndef dump(encoding):\n    return encoding is serialization.Encoding.PEM\n",
    });
    const imports = [{ specifier: "crypto", names: ["serialization"] }];
    const defs = await lookUp(dir, { from: "crypto/backend.py", languageId: "python", imports, names: ["serialization", "Encoding"] });
    const cls = defs.find((d) => d.kind === "class" && d.name === "Encoding");
    assert.equal(cls?.source, "imported-file", defs.map((d) => `${d.kind} ${d.name} ${d.source}`).join(", "));
    assertOutlineShows(defs, "Encoding", "Raw", "crypto/serialization/_formats.py", 5);
  });

  it("writes a long Python class as its members' first lines, each once (its block starts on the first one)", async () => {
    const constants = Array.from({ length: 30 }, (_, i) => `    OID_${i} = ObjectIdentifier("2.5.4.${i}")\n`).join("");
    const dir = ws({ "oid.py": `class NameOID:\n${constants}`, "main.py": "from oid import NameOID\n" });
    const defs = await lookUp(dir, { from: "main.py", languageId: "python", imports: [{ specifier: "oid", names: ["NameOID"] }], names: ["NameOID"] });
    const cls = defs.find((d) => d.kind === "class" && d.name === "NameOID");
    assert.ok(cls, defs.map((d) => `${d.kind} ${d.name}`).join(", "));
    assert.equal(cls.text.match(/\bOID_0\b/g)?.length, 1, cls.text);
    assert.match(cls.text, /\bOID_29\b/);
  });

  it("outlines a module re-exported as a namespace (`import * as Codes …; export { Codes }`, `export * as`)", async () => {
    const dir = ws({
      "error/AuthErrorCodes.ts": "export const userCancelled = \"user_cancelled\";\nexport const noStateInHash = \"no_state_in_hash\";\n",
      "error/AuthError.ts": "import * as AuthErrorCodes from \"./AuthErrorCodes.js\";\nexport { AuthErrorCodes };\nexport class AuthError extends Error {}\n",
      "error/index.ts": "export * as Codes from \"./AuthErrorCodes.js\";\n",
      "client.ts": "import { AuthError, AuthErrorCodes } from \"./error/AuthError.js\";\nimport { Codes } from \"./error/index.js\";\nthrow new AuthError(AuthErrorCodes.noStateInHash + Codes.userCancelled);\n",
    });
    const imports = [
      { specifier: "./error/AuthError.js", names: ["AuthError", "AuthErrorCodes"] },
      { specifier: "./error/index.js", names: ["Codes"] },
    ];
    const defs = await lookUp(dir, { from: "client.ts", languageId: "typescript", imports, names: ["AuthErrorCodes", "Codes"] });
    assertOutlineShows(defs, "AuthErrorCodes", "noStateInHash", "error/AuthErrorCodes.ts", 1);
    assertOutlineShows(defs, "Codes", "userCancelled", "error/AuthErrorCodes.ts", 0);
    // Through a barrel that passes the name on (`export { X } from`, `export * from`).
    writeFileSync(join(dir, "error/barrel.ts"), 'export { AuthError } from "./AuthError.js";\nexport * from "./AuthError.js";\n');
    const viaBarrel = await lookUp(dir, { from: "client.ts", languageId: "typescript", imports: [{ specifier: "./error/barrel.js", names: ["AuthErrorCodes"] }], names: ["AuthErrorCodes"] });
    assertOutlineShows(viaBarrel, "AuthErrorCodes", "noStateInHash", "error/AuthErrorCodes.ts", 1);
  });

  it("stays bounded on a cycle of namespace re-exports", async () => {
    const dir = ws({
      "a.ts": "import * as B from \"./b\";\nexport { B };\nexport const inA = 1;\n",
      "b.ts": "import * as A from \"./a\";\nexport { A };\nexport * as B from \"./b\";\nexport const inB = 2;\n",
      "main.ts": "import { B } from \"./a\";\nB.inB;\n",
    });
    const defs = await lookUp(dir, { from: "main.ts", languageId: "typescript", imports: [{ specifier: "./a", names: ["B"] }], names: ["B", "A"] });
    assertOutlineShows(defs, "B", "inB", "b.ts", 3);
  });

  it("keeps a 10,000-member exported object on one minified line bounded: members kept, outline size, time", async () => {
    const members = Array.from({ length: 10_000 }, (_, i) => `member${i}`);
    const dir = ws({
      "huge.js": `module.exports={${members.map((m) => `${m}(a){return a}`).join(",")}};${members.map((m) => `exports.${m}x=1;`).join("")}\n`,
      "main.js": "const huge = require('./huge');\nhuge.member5();\n",
    });
    const started = performance.now();
    const defs = await lookUp(dir, { from: "main.js", languageId: "javascript", imports: [{ specifier: "./huge", names: ["huge"], defaultName: "huge" }], names: ["huge", "member5"] });
    const outline = defs.find((d) => d.kind === "outline");
    assert.ok(outline, "outlined");
    assert.ok(outline.text.length <= 1200 && outline.header.length <= 500, `${outline.text.length} / ${outline.header.length} characters`);
    assert.match(outline.text, /\bmember5\b/, "the member named near the cursor comes first");
    assert.ok(performance.now() - started < 10_000, `${Math.round(performance.now() - started)} ms`);
  });

  it("outlines the submodule a Python file imports by its dotted path (`import pkg.common`)", async () => {
    const dir = ws({
      "pkg/__init__.py": "",
      "pkg/common.py": "import os\n\n\ndef WriteOnDiff(filename):\n    return open(filename)\n\n\nclass GypError(Exception):\n    pass\n",
      "pkg/main.py": "import pkg.common\n\npkg.common.WriteOnDiff('x')\n",
    });
    const defs = await lookUp(dir, { from: "pkg/main.py", languageId: "python", imports: [{ specifier: "pkg.common", names: ["pkg"] }], names: ["common", "pkg"] });
    assertOutlineShows(defs, "common", "WriteOnDiff", "pkg/common.py", 3);
  });

  it("outlines, with a Python package, the modules its __init__.py star-imports (`from .events import *`)", async () => {
    const dir = ws({
      "aio/__init__.py": "from .events import *\nfrom .tasks import *\n\n__all__ = events.__all__ + tasks.__all__\n",
      "aio/events.py": "__all__ = ['set_event_loop']\n\n\ndef set_event_loop(loop):\n    pass\n",
      "aio/tasks.py": "def sleep(delay):\n    pass\n",
      "main.py": "import aio\n\naio.run()\n",
    });
    const defs = await lookUp(dir, { from: "main.py", languageId: "python", imports: [{ specifier: "aio", names: ["aio"] }], names: ["aio"] });
    const outlines = defs.filter((d) => d.kind === "outline" && d.name === "aio");
    assertOutlineShows(outlines.filter((d) => d.path.endsWith("events.py")), "aio", "set_event_loop", "aio/events.py", 3);
    assertOutlineShows(outlines.filter((d) => d.path.endsWith("tasks.py")), "aio", "sleep", "aio/tasks.py", 0);
  });

  it("outlines a dotted-path submodule through its package's name alone (the line that said `pkg.common` is gone)", async () => {
    const dir = ws({
      "pkg/__init__.py": "",
      "pkg/common.py": "def WriteOnDiff(filename):\n    return open(filename)\n",
      "pkg/main.py": "import pkg.common\n\npkg.x = 1\n",
    });
    const defs = await lookUp(dir, { from: "pkg/main.py", languageId: "python", imports: [{ specifier: "pkg.common", names: ["pkg"] }], names: ["pkg", "x"] });
    assertOutlineShows(defs, "pkg.common", "WriteOnDiff", "pkg/common.py", 0);
  });
});
