// The recall bench follows each use to its definition on its own: through any number of re-exports, into the members
// of default-imported objects, CommonJS exports and classes used as namespaces.
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { ImportResolver } from "../../../../src/context/index/import-resolver";
import { ModuleReader } from "../../../../bench/context/recall/module-facts";
import { ModuleGraph } from "../../../../bench/context/recall/module-graph";
import { samplesOfFile } from "../../../../bench/context/recall/samples";
import type { RecallSample } from "../../../../bench/context/recall/samples";

const REPO_ROOT = join(__dirname, "..", "..", "..", "..", "..");
const accept = (name: string): boolean => name.length >= 3;

describe("bench: following a use to its definition", function () {
  this.timeout(20_000);
  let reader: ModuleReader;
  let root: string;

  before(async () => {
    reader = await ModuleReader.create(join(REPO_ROOT, "node_modules"));
  });
  after(() => reader.dispose());
  beforeEach(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), "hearth-graph-")));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function write(files: Record<string, string>): void {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, name)), { recursive: true });
      writeFileSync(join(root, name), text);
    }
  }

  /** The sample the bench would take from the line of `file` that contains `lineText`. */
  function sampleAt(file: string, lineText: string): RecallSample | undefined {
    const resolver = new ImportResolver(() => [root]);
    const graph = new ModuleGraph(root, (p) => reader.readFile(p), (from, spec, python) => resolver.resolve(from, spec, python ? "python" : "typescript"));
    const lines = readFileSync(join(root, file), "utf8").split("\n");
    return samplesOfFile(join(root, file), graph, accept).find((s) => lines[s.line].includes(lineText));
  }

  const where = (s: RecallSample | undefined): string => (s ? `${relative(root, s.definitions[0].path)}:${s.definitions[0].startLine + 1} ${s.symbol} ${s.use} reexports=${s.reexports}` : "no sample");

  it("follows `export { x } from` and `export *` through two barrels to the definition", () => {
    write({
      "src/impl/status.ts": "export function fromCode(code: number) {\n  return code;\n}\n",
      "src/impl/index.ts": "export * from './status';\n",
      "src/index.ts": "export { fromCode } from './impl/index';\n",
      "src/use.ts": "import { fromCode } from './index';\nconst x = 1;\nfunction f() {\n  return fromCode(x);\n}\n",
    });
    assert.equal(where(sampleAt("src/use.ts", "return fromCode")), "src/impl/status.ts:1 fromCode direct reexports=2");
  });

  it("follows `export { default as x } from` to a default-exported class", () => {
    write({
      "widget.ts": "export default class Widget {\n  draw() {}\n}\n",
      "index.ts": "export { default as Widget } from './widget';\n",
      "use.ts": "import { Widget } from './index';\nexport function make() {\n  return new Widget();\n}\n",
    });
    assert.equal(where(sampleAt("use.ts", "new Widget")), "widget.ts:1 Widget direct reexports=1");
  });

  it("reaches a member of a default-imported object: the function a shorthand property names", () => {
    write({
      "helpers.js": "function isPlainObject(x) {\n  return typeof x === 'object';\n}\nconst toNumber = (x) => +x;\nexport default { isPlainObject, toNumber, size: 3 };\n",
      "use.js": "import helpers from './helpers.js';\nexport function check(x) {\n  if (helpers.isPlainObject(x)) return 1;\n  return helpers.size;\n}\n",
    });
    assert.equal(where(sampleAt("use.js", "helpers.isPlainObject")), "helpers.js:1 isPlainObject object-member reexports=0");
    assert.equal(where(sampleAt("use.js", "helpers.size")), "helpers.js:5 size object-member reexports=0");
  });

  it("finds a name declared by destructuring, as a member of the object that lists it", () => {
    write({
      "utils.js": "const kindOf = (t) => (x) => typeof x === t;\nconst [isStream, isRequest] = ['stream', 'request'].map(kindOf);\nconst { isArray } = Array;\nexport default { isStream, isRequest, isArray };\n",
      "use.js": "import utils from './utils.js';\nexport function f(x) {\n  if (utils.isRequest(x)) return 1;\n  return utils.isArray(x);\n}\n",
    });
    assert.equal(where(sampleAt("use.js", "utils.isRequest")), "utils.js:2 isRequest object-member reexports=0");
    assert.equal(where(sampleAt("use.js", "utils.isArray")), "utils.js:3 isArray object-member reexports=0");
  });

  it("reaches a member of an object exported `as const` or frozen", () => {
    write({
      "constants.ts": "export const CacheLocation = {\n  LocalStorage: 'localStorage',\n  Memory: 'memory',\n} as const;\n",
      "codes.js": "module.exports = Object.freeze({\n  NOT_FOUND: 404,\n});\n",
      "use.ts": "import { CacheLocation } from './constants';\nimport codes from './codes.js';\nexport function f() {\n  const where = CacheLocation.Memory;\n  return codes.NOT_FOUND;\n}\n",
    });
    assert.equal(where(sampleAt("use.ts", "CacheLocation.Memory")), "constants.ts:3 Memory object-member reexports=0");
    assert.equal(where(sampleAt("use.ts", "codes.NOT_FOUND")), "codes.js:2 NOT_FOUND object-member reexports=0");
  });

  it("reaches members of `module.exports = { … }` and `exports.x = …` through require", () => {
    write({
      "lib/ast-utils.js": "function isColonToken(token) {\n  return token.value === ':';\n}\nmodule.exports = {\n  isColonToken,\n  LINE: /\\n/u,\n};\n",
      "lib/cursors.js": "exports.forward = makeCursor();\nfunction makeCursor() {}\n",
      "lib/index.js": "module.exports = require('./ast-utils');\n",
      "lib/rule.js": "const astUtils = require('./index');\nconst cursors = require('./cursors');\nmodule.exports = function rule(node) {\n  if (astUtils.isColonToken(node)) return;\n  return cursors.forward;\n};\n",
    });
    assert.equal(where(sampleAt("lib/rule.js", "astUtils.isColonToken")), "lib/ast-utils.js:1 isColonToken object-member reexports=1");
    assert.equal(where(sampleAt("lib/rule.js", "cursors.forward")), "lib/cursors.js:1 forward module-member reexports=0");
  });

  it("takes `exports.x = require(…).x` and destructured requires for re-exports", () => {
    write({
      "a.js": "function parse(text) {\n  return text;\n}\nmodule.exports = { parse };\n",
      "b.js": "exports.parse = require('./a').parse;\n",
      "c.js": "const { parse: read } = require('./b');\nfunction go(t) {\n  return read(t);\n}\n",
    });
    assert.equal(where(sampleAt("c.js", "return read")), "a.js:1 parse direct reexports=1");
  });

  it("reaches a class's static member, and the class itself for a member that is not static", () => {
    write({
      "status.ts": "export class Status {\n  static fromCode(code: number): Status {\n    return new Status();\n  }\n  describe(): string {\n    return '';\n  }\n}\n",
      "use.ts": "import { Status } from './status';\nexport function f() {\n  const s = Status.fromCode(1);\n  return Status.describe;\n}\n",
    });
    assert.equal(where(sampleAt("use.ts", "Status.fromCode")), "status.ts:2 fromCode class-static reexports=0");
    assert.equal(where(sampleAt("use.ts", "Status.describe")), "status.ts:1 Status direct reexports=0");
  });

  it("follows `from .mod import x` in a package's __init__.py, and marks imports under TYPE_CHECKING", () => {
    write({
      "pkg/__init__.py": "from .mod import Engine\n",
      "pkg/mod.py": "class Engine:\n    RED = 1\n\n    def run(self):\n        pass\n",
      "app.py": "from typing import TYPE_CHECKING\nfrom pkg import Engine\nif TYPE_CHECKING:\n    from pkg.mod import Engine as E2\n\n\ndef main(e: 'E2'):\n    x = Engine.RED\n    y = Engine()\n    return E2\n",
    });
    assert.equal(where(sampleAt("app.py", "Engine.RED")), "pkg/mod.py:2 RED class-static reexports=1");
    assert.equal(where(sampleAt("app.py", "y = Engine()")), "pkg/mod.py:1 Engine direct reexports=1");
    const guarded = sampleAt("app.py", "return E2");
    assert.equal(where(guarded), "pkg/mod.py:1 Engine direct reexports=0");
    assert.equal(guarded?.typeChecking, true);
  });

  it("walks `import a.b` down to a submodule's definition", () => {
    write({
      "gyp/__init__.py": "",
      "gyp/common.py": "def WriteOnDiff(path):\n    pass\n",
      "gyp/tool.py": "import gyp.common\n\n\ndef build(p):\n    f = gyp.common.WriteOnDiff(p)\n    return f\n",
    });
    assert.equal(where(sampleAt("gyp/tool.py", "gyp.common.WriteOnDiff")), "gyp/common.py:1 WriteOnDiff module-member reexports=0");
  });

  it("takes from `from m import *` only what m's __all__ lists", () => {
    write({
      "pkg/__init__.py": "from .events import *\nfrom .helpers import *\n",
      "pkg/events.py": "__all__ = ('Loop',)\n\n\nclass Loop:\n    pass\n\n\nclass Hidden:\n    pass\n",
      "pkg/helpers.py": "def Hidden():\n    pass\n",
      "use.py": "import pkg\n\n\ndef f():\n    a = pkg.Loop()\n    b = pkg.Hidden()\n",
    });
    assert.equal(where(sampleAt("use.py", "pkg.Loop")), "pkg/events.py:4 Loop module-member reexports=1");
    assert.equal(where(sampleAt("use.py", "pkg.Hidden")), "pkg/helpers.py:1 Hidden module-member reexports=1");
  });

  it("ends a cycle of re-exports with no sample", () => {
    write({
      "a.ts": "export * from './b';\n",
      "b.ts": "export * from './a';\n",
      "use.ts": "import { missing } from './a';\nexport const y = 1;\nconsole.log(missing);\n",
    });
    assert.equal(sampleAt("use.ts", "missing"), undefined);
  });
});
