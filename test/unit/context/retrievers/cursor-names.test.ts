import * as assert from "node:assert/strict";
import { extractImports } from "../../../../src/context/imports";
import { CursorNames } from "../../../../src/context/retrievers/cursor-names";
import { LineNumbers } from "../../../../src/context/text-lines";

describe("CursorNames", () => {
  it("weighs a member used through a dotted Python import (`gyp.common.EnsureDirExists`) as a member of that module", () => {
    const filler = Array.from({ length: 45 }, (_, i) => `    value_${i} = ${i}`).join("\n");
    const text = `import gyp.common\n\n\ndef generate(out_name):\n    gyp.common.EnsureDirExists(out_name)\n${filler}\n    `;
    const offset = text.length;
    const imports = extractImports(text, "python", null, null);
    assert.deepEqual(imports.map((i) => i.specifier), ["gyp.common"], "the fixture's import is read");
    const names = new CursorNames(() => text);
    try {
      const found = names.namesFor("file:///a.py", text, offset, imports, LineNumbers.at(text, offset)).map((n) => n.name);
      // 45 lines above the cursor: out of the window read around it, so only the file's use of the module brings it.
      assert.ok(found.includes("EnsureDirExists"), found.join(", "));
    } finally {
      names.dispose();
    }
  });
});
