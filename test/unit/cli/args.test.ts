import { strict as assert } from "node:assert";
import { offsetAt, parseArgs, parseFilePosition, UsageError } from "../../src/cli/args";

describe("CLI arguments", () => {
  it("reads options with values, flags and positionals", () => {
    const args = parseArgs(["--model", "m.gguf", "a.ts:1:2", "--verbose", "--max-tokens=8"], ["verbose"]);
    assert.deepEqual(args.positionals, ["a.ts:1:2"]);
    assert.equal(args.options.get("model"), "m.gguf");
    assert.equal(args.options.get("verbose"), true);
    assert.equal(args.options.get("max-tokens"), "8");
  });

  it("parses FILE:LINE:COL even when the path holds colons", () => {
    assert.deepEqual(parseFilePosition("C:/src/a.ts:12:5"), { file: "C:/src/a.ts", line: 12, column: 5 });
  });

  it("refuses a position that is not FILE:LINE:COL", () => {
    assert.throws(() => parseFilePosition("a.ts:12"), UsageError);
  });

  it("turns a 1-based line and column into an offset", () => {
    assert.equal(offsetAt("ab\ncd\n", 2, 2), 4);
  });

  it("clamps a column past the end of its line to the line end", () => {
    assert.equal(offsetAt("ab\ncd\n", 1, 99), 2);
  });

  it("refuses a line past the end of the file", () => {
    assert.throws(() => offsetAt("ab\n", 5, 1), /past the end/);
  });
});
