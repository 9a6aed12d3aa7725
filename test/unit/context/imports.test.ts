import * as assert from "node:assert/strict";
import { silentLogger } from "../../../src/common/logger";
import { extractImports, readImports } from "../../../src/context/imports";
import { SyntaxRuntime } from "../../../src/context/syntax-runtime";
import { grammarsDir } from "./fixtures";
import { cpuGrowth } from "../helpers/cpu-time";

const names = (text: string, languageId: string) => extractImports(text, languageId, null, null).map((i) => [i.specifier, i.names]);

describe("extractImports (text fallback)", () => {
  it("reads TypeScript named, default, namespace, type and require imports", () => {
    const text = [
      'import fs, { readFile as read, type Stats } from "node:fs";',
      'import * as path from "path";',
      "import {",
      "  UserRepository,",
      "  DEFAULT_ROLE,",
      '} from "./models/user";',
      'const { join } = require("./util");',
    ].join("\n");
    assert.deepEqual(names(text, "typescript"), [
      ["node:fs", ["read", "Stats", "fs"]],
      ["path", ["path"]],
      ["./models/user", ["UserRepository", "DEFAULT_ROLE"]],
      ["./util", ["join"]],
    ]);
  });

  it("names the local name that stands for a module's default export or module.exports, not a required member", () => {
    const text = ['import helpers, { a } from "./helpers.js";', 'const utils = require("./utils");', 'const { b } = require("./b");', 'const c = require("./c").c;', 'import * as ns from "./ns";'].join("\n");
    assert.deepEqual(
      extractImports(text, "javascript", null, null).map((i) => [i.specifier, i.defaultName]),
      [["./helpers.js", "helpers"], ["./utils", "utils"], ["./b", undefined], ["./c", undefined], ["./ns", undefined]],
    );
  });

  it("reads Python plain, aliased and relative imports", () => {
    const text = "import os.path\nimport numpy as np\nfrom .models import Cart, TAX_RATE as RATE\nfrom . import events\n";
    assert.deepEqual(names(text, "python"), [
      ["os.path", ["os"]],
      ["numpy", ["np"]],
      [".models", ["Cart", "RATE"]],
      [".", ["events"]],
    ]);
  });

  it("reads Go, Rust, Java, C# and C++ imports", () => {
    assert.deepEqual(names('import "fmt"', "go"), [["fmt", ["fmt"]]]);
    assert.deepEqual(names("use crate::config::{Config, DEFAULT_PORT};", "rust"), [["crate::config", ["Config", "DEFAULT_PORT"]]]);
    assert.deepEqual(names("import java.util.HashMap;", "java"), [["java.util.HashMap", ["HashMap"]]]);
    assert.deepEqual(names("using System.Text;", "csharp"), [["System.Text", []]]);
    assert.deepEqual(names('#include "store.h"', "cpp"), [["store.h", []]]);
  });

  it("says how far it read for imports: all of a short file, the first 64 KB of a long one", () => {
    const short = 'import { a } from "./a";\nuse(a);\n';
    assert.equal(readImports(short, "typescript", null, null).scannedTo, short.length);
    const long = short + "use(a);\n".repeat(20_000);
    assert.ok(readImports(long, "typescript", null, null).scannedTo <= 64_000 + 8);
  });

  it("reads import statements with long runs of spaces and braces in time linear in the runs", () => {
    // `\)\s*;?\s*$` let two runs of spaces backtrack against each other, and `\{([\s\S]*)\}` retried every `{`: both
    // quadratic in the run. (The spaces sit in a statement that names no module: the clause regex, which only reads
    // statements that do, is quadratic in a run of spaces of its own, within the 8,000 characters of a statement.)
    // CPU time of 4 times the runs against 1 time: about 4 for linear work, 16 for quadratic.
    const text = (run: number) =>
      ["import {", `  a${")" + " ".repeat(run)}x,`, "  b;", "import {", `  c${"{".repeat(run)}`, ' from "./m";', "use(a);"].join("\n");
    const texts = new Map([1, 4].map((scale) => [scale, text(875 * scale)]));
    assert.deepEqual(names(texts.get(4)!, "typescript").map(([specifier]) => specifier), ["./m"]);
    const growth = cpuGrowth((scale) => names(texts.get(scale)!, "typescript"), 4);
    assert.ok(growth.ratio < 8, growth.shown);
  });

  it("reads the names of import and require statements with long runs of spaces in time linear in the runs", () => {
    // A clause read by a lazy `([\s\S]*?)\s+from\s` (or `…\s*=`) retried the run of spaces from each of its positions.
    const text = (run: number) =>
      [
        `import a${" ".repeat(run)}b, { c } from "./m";`,
        `const d${" ".repeat(run)}e = require("./n");`,
        "use(a, c, d);",
      ].join("\n");
    const texts = new Map([1, 4].map((scale) => [scale, text(875 * scale)]));
    assert.deepEqual(names(texts.get(4)!, "typescript").map(([specifier]) => specifier), ["./m", "./n"]);
    const growth = cpuGrowth((scale) => names(texts.get(scale)!, "typescript"), 4);
    assert.ok(growth.ratio < 8, growth.shown);
  });
});

describe("readImports (from the tree)", () => {
  it("reads Python imports under `if TYPE_CHECKING:`, at their own offsets", async () => {
    const runtime = new SyntaxRuntime(grammarsDir, silentLogger);
    try {
      const grammar = await runtime.load("python");
      assert.ok(grammar);
      const text = "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from .models import (\n        Cart,\n    )\n    import pkg.sub as sub\nelse:\n    from .other import Nope\n\nx = 1\n";
      const tree = grammar.parser.parse(text);
      assert.ok(tree);
      try {
        const imports = readImports(text, "python", tree, grammar.spec).imports;
        assert.deepEqual(imports.map((i) => [i.specifier, i.names]), [["typing", ["TYPE_CHECKING"]], [".models", ["Cart"]], ["pkg.sub", ["sub"]]]);
        assert.equal(text.slice(imports[1].startIndex, imports[1].endIndex), "from .models import (\n        Cart,\n    )");
      } finally {
        tree.delete();
      }
    } finally {
      runtime.dispose();
    }
  });
});
