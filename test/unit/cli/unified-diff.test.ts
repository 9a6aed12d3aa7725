import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unifiedDiff } from "../../../src/cli/unified-diff";

/** Applies the diff with git in a scratch folder holding `before`, and returns the file's text after. */
function applyWithGit(before: string | null, diff: string): string {
  const dir = mkdtempSync(join(tmpdir(), "hearth-diff-"));
  try {
    if (before !== null) writeFileSync(join(dir, "a.ts"), before);
    writeFileSync(join(dir, "change.patch"), diff);
    execFileSync("git", ["apply", "--unsafe-paths", "change.patch"], { cwd: dir, stdio: "pipe" });
    return readFileSync(join(dir, "a.ts"), "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const FUNCTION = "import x from 'x';\n\nexport function area(w: number, h: number): number {\n  return w * h;\n}\n\nexport const one = 1;\n";

describe("unifiedDiff: a proposal as a patch git applies", () => {
  it("shows an added doc comment as added lines only, with three lines of context", () => {
    const after = FUNCTION.replace("export function", "/** The area. */\nexport function");
    const diff = unifiedDiff("a.ts", FUNCTION, after);
    assert.equal(diff, "--- a/a.ts\n+++ b/a.ts\n@@ -1,5 +1,6 @@\n import x from 'x';\n \n+/** The area. */\n export function area(w: number, h: number): number {\n   return w * h;\n }\n");
    assert.equal(applyWithGit(FUNCTION, diff), after);
  });

  it("creates a new file from /dev/null", () => {
    const diff = unifiedDiff("a.ts", null, "it('works', () => {});\n");
    assert.match(diff, /^--- \/dev\/null\n\+\+\+ b\/a\.ts\n@@ -0,0 \+1,1 @@\n/);
    assert.equal(applyWithGit(null, diff), "it('works', () => {});\n");
  });

  it("applies where the old or the new text has no newline at its end", () => {
    const before = "a\nb\nc";
    for (const after of ["a\nB\nc", "a\nb\nc\n", "a\nb\nc\nd"]) assert.equal(applyWithGit(before, unifiedDiff("a.ts", before, after)), after);
  });

  it("applies to a file with CRLF line ends", () => {
    const before = "a\r\nb\r\nc\r\n";
    const after = "a\r\nB\r\nc\r\n";
    assert.equal(applyWithGit(before, unifiedDiff("a.ts", before, after)), after);
  });

  it("joins changes closer than six lines into one hunk and keeps distant ones apart", () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`);
    const before = `${lines.join("\n")}\n`;
    const after = `${lines.map((l, i) => (i === 2 || i === 6 || i === 25 ? `${l}!` : l)).join("\n")}\n`;
    const diff = unifiedDiff("a.ts", before, after);
    assert.equal(diff.match(/^@@/gm)?.length, 2);
    assert.equal(applyWithGit(before, diff), after);
  });

  it("is empty when nothing changed", () => {
    assert.equal(unifiedDiff("a.ts", FUNCTION, FUNCTION), "");
  });
});
