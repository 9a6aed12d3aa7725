import { strict as assert } from "node:assert";
import { listOption, numberOption, offsetAt, parseArgs, parseFileLine, parseFilePosition, UsageError } from "../../../src/cli/args";

const SPEC = { flags: ["verbose", "text"], values: ["model", "max-tokens", "open"] };

describe("CLI arguments", () => {
  it("reads options with values, flags and positionals", () => {
    const args = parseArgs(["--model", "m.gguf", "a.ts:1:2", "--verbose", "--max-tokens=8"], SPEC);
    assert.deepEqual(args.positionals, ["a.ts:1:2"]);
    assert.equal(args.options.get("model"), "m.gguf");
    assert.equal(args.options.get("verbose"), true);
    assert.equal(args.options.get("max-tokens"), "8");
  });

  it("does not take the positional after a flag as the flag's value", () => {
    const args = parseArgs(["--text", "a.ts:1:2"], SPEC);
    assert.deepEqual(args.positionals, ["a.ts:1:2"]);
    assert.equal(args.options.get("text"), true);
  });

  it("keeps every value of a repeated option, in order", () => {
    const args = parseArgs(["--open", "b.ts", "a.ts:1:2", "--open=c.ts"], SPEC);
    assert.deepEqual(listOption(args, "open"), ["b.ts", "c.ts"]);
  });

  it("takes a value that begins with dashes when the option needs one", () => {
    assert.equal(parseArgs(["--model", "--odd-name.gguf"], SPEC).options.get("model"), "--odd-name.gguf");
  });

  it("refuses an option the command does not take, naming it", () => {
    assert.throws(() => parseArgs(["--modle", "m.gguf"], SPEC), (error: unknown) => error instanceof UsageError && /--modle/.test(error.message));
  });

  it("refuses an option without its value", () => {
    assert.throws(() => parseArgs(["a.ts:1:2", "--model"], SPEC), /--model needs a value/);
  });

  it("refuses a value given to a flag", () => {
    assert.throws(() => parseArgs(["--verbose=yes"], SPEC), /--verbose takes no value/);
  });

  it("treats everything after -- as positionals", () => {
    assert.deepEqual(parseArgs(["--", "--model", "x"], SPEC).positionals, ["--model", "x"]);
  });

  it("refuses a number option that is not a number", () => {
    const args = parseArgs(["--max-tokens", "12abc"], SPEC);
    assert.throws(() => numberOption(args, "max-tokens", 1), /--max-tokens must be a number, not "12abc"/);
  });

  it("refuses an empty number option rather than reading it as zero", () => {
    assert.throws(() => numberOption(parseArgs(["--max-tokens="], SPEC), "max-tokens", 1), /must be a number/);
  });

  it("parses FILE:LINE:COL even when the path holds colons", () => {
    assert.deepEqual(parseFilePosition("C:/src/a.ts:12:5"), { file: "C:/src/a.ts", line: 12, column: 5 });
  });

  it("refuses a position that is not FILE:LINE:COL", () => {
    assert.throws(() => parseFilePosition("a.ts:12"), UsageError);
  });

  it("refuses a line or column of zero", () => {
    assert.throws(() => parseFilePosition("a.ts:0:1"), /1-based/);
    assert.throws(() => parseFilePosition("a.ts:1:0"), /1-based/);
  });

  it("refuses a line number too large to be one", () => {
    assert.throws(() => parseFilePosition(`a.ts:${"9".repeat(30)}:1`), /1-based and whole/);
  });

  it("parses FILE:LINE for an action's target", () => {
    assert.deepEqual(parseFileLine("src/a.ts:7"), { file: "src/a.ts", line: 7 });
    assert.throws(() => parseFileLine("src/a.ts"), /FILE:LINE/);
  });

  it("turns a 1-based line and column into an offset", () => {
    assert.equal(offsetAt("ab\ncd\n", 2, 2), 4);
  });

  it("clamps a column past the end of its line to the line end", () => {
    assert.equal(offsetAt("ab\ncd\n", 1, 99), 2);
  });

  it("ends a CRLF line before its carriage return", () => {
    assert.equal(offsetAt("ab\r\ncd\r\n", 1, 99), 2);
  });

  it("refuses a line past the end of the file", () => {
    assert.throws(() => offsetAt("ab\n", 5, 1), /past the end/);
  });
});
