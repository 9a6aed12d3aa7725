import * as assert from "node:assert/strict";
import { join } from "node:path";
import { ImportResolver, stripJsonComments } from "../../../../src/context/index/import-resolver";
import { cpuGrowth, cpuMs } from "../../helpers/cpu-time";
import { tempWorkspaceEachTest } from "../../helpers/temp-workspace";

describe("tsconfig reading", () => {
  it("drops line and block comments but not what looks like one inside a string", () => {
    const raw = '{\n  // paths\n  "baseUrl": "./src", /* the root */\n  "url": "http://x//y/*z*/"\n}';
    assert.deepEqual(JSON.parse(stripJsonComments(raw)), { baseUrl: "./src", url: "http://x//y/*z*/" });
  });

  it("reads a file of unclosed block comments in one pass", () => {
    // A lazy regex retried every `/*` against the rest of the file: 20,000 of them took 170 ms, a megabyte seconds.
    // CPU time of 4 times the comments against 1 time: about 4 for linear work, 16 for quadratic.
    const raws = new Map([1, 4].map((scale) => [scale, '{"a": 1}' + "/* ".repeat(75_000 * scale)]));
    assert.equal(stripJsonComments(raws.get(4)!).trim(), '{"a": 1}');
    const growth = cpuGrowth((scale) => stripJsonComments(raws.get(scale)!), 4);
    assert.ok(growth.ratio < 8, growth.shown);
  });
});

describe("import resolution in a hostile repository", () => {
  const ws = tempWorkspaceEachTest("hearth-resolver-");

  it("tries a bounded number of tsconfig paths targets for a bare import, not tens of thousands", async () => {
    // Each target is probed with a score of stat calls: a 1 MB tsconfig mapping "*" to 60,000 folders cost over a
    // million for every package a file imports, in the index worker that answers completions.
    const targets = Array.from({ length: 60_000 }, (_, i) => `m${i}/*`);
    await ws.put("tsconfig.json", JSON.stringify({ compilerOptions: { baseUrl: ".", paths: { "@app/*": ["src/app/*"], "*": targets } } }));
    await ws.put("src/app/util.ts", "export const x = 1;\n");
    const from = await ws.put("src/main.ts", 'import { x } from "@app/util";\n');
    const resolver = new ImportResolver(() => [ws.root]);
    // CPU time, not the wall clock: on a loaded machine the wall clock measures the other processes.
    const ms = cpuMs(() => {
      for (const name of ["react", "lodash", "express", "zod"]) assert.equal(resolver.resolve(from, name, "typescript"), null);
    });
    assert.ok(ms < 3000, `four bare imports took ${Math.round(ms)} ms of CPU`);
    assert.equal(resolver.resolve(from, "@app/util", "typescript"), join(ws.root, "src", "app", "util.ts"));
  });
});
