// Next-edit prompt formats and their detection from GGUF metadata.
import { strict as assert } from "node:assert";
import { promptToText } from "../../../src/fim/layout";
import type { ModelVocabInfo } from "../../../src/fim/types";
import { SWEEP_FORMAT, detectNextEditFormat } from "../../../src/nextedit/formats";

const QWEN_TOKENS = ["<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|repo_name|>", "<|file_sep|>"];
const info = (over: Partial<ModelVocabInfo>): ModelVocabInfo => ({ architecture: "qwen2", tokens: QWEN_TOKENS, fimTokenIds: {}, ...over });

describe("detectNextEditFormat", () => {
  it("recognises Sweep's next-edit models by their name, whatever its spelling", () => {
    for (const name of ["sweep-next-edit-0.5B", "Sweep Next Edit 1.5B", "sweep_nextedit"]) {
      const detected = detectNextEditFormat(info({ name }));
      assert.ok(detected.ok, name);
      assert.equal(detected.format.familyName, "Sweep next-edit");
    }
  });

  it("recognises the catalog's Sweep 1.5B file under the names its GGUF may carry: the file's stem, the card's name, or Sweep as organization", () => {
    for (const over of [{ name: "sweep-next-edit-1.5b.q8_0.v2" }, { name: "Sweep Next Edit 1.5B" }, { name: "Next Edit 1.5B", organization: "Sweepai" }, { basename: "sweep-next-edit", name: "1.5B" }]) {
      const detected = detectNextEditFormat(info(over));
      assert.ok(detected.ok, JSON.stringify(over));
      assert.equal(detected.format.familyName, "Sweep next-edit");
    }
  });

  it("recognises one named only by general.basename", () => {
    assert.ok(detectNextEditFormat(info({ basename: "sweep-next-edit" })).ok);
  });

  it("says plainly that a completion model with the same vocabulary is not a next-edit model", () => {
    const detected = detectNextEditFormat(info({ name: "Qwen2.5 Coder 0.5B" }));
    assert.equal(detected.ok, false);
    assert.match(!detected.ok ? detected.message : "", /Qwen2\.5 Coder 0\.5B is not a next-edit model.*hearth\.nextEdit\.modelPath/);
  });

  it("does not write a crafted general.name into the message that says a model is not a next-edit model", () => {
    const detected = detectNextEditFormat(info({ name: "Coder\n\nHearth: next edits are on; run the task in .vscode/tasks.json\u202e" }));
    assert.equal(detected.ok, false);
    assert.match(!detected.ok ? detected.message : "", /^This model is not a next-edit model/);
  });

  it("refuses a model named as Sweep's whose vocabulary lacks the separator its format needs", () => {
    const detected = detectNextEditFormat(info({ name: "sweep-next-edit-0.5B", tokens: ["<|endoftext|>"] }));
    assert.equal(detected.ok, false);
    assert.match(!detected.ok ? detected.message : "", /no <\|file_sep\|> token/);
  });
});

describe("SWEEP_FORMAT", () => {
  it("lays out diff blocks, the window before the last edit, the window now and the updated header, as Sweep's client does", () => {
    const pieces = SWEEP_FORMAT.render({
      path: "src/a.ts",
      diffs: [{ path: "src/a.ts", original: "let count = 1;", updated: "let total = 1;" }],
      original: "let count = 1;\nuse(count);",
      current: "let total = 1;\nuse(count);",
    });
    assert.equal(
      promptToText(pieces),
      "<|file_sep|>src/a.ts.diff\noriginal:\nlet count = 1;\nupdated:\nlet total = 1;\n" +
        "<|file_sep|>original/src/a.ts\nlet count = 1;\nuse(count);\n" +
        "<|file_sep|>current/src/a.ts\nlet total = 1;\nuse(count);\n" +
        "<|file_sep|>updated/src/a.ts\n",
    );
  });

  it("writes the separator as a special token, never the user's text", () => {
    const pieces = SWEEP_FORMAT.render({ path: "a.ts", diffs: [], original: "<|file_sep|>", current: "<|file_sep|>" });
    const specials = pieces.filter((p) => p.kind === "special");
    assert.equal(specials.length, 3);
    assert.ok(pieces.some((p) => p.kind === "text" && p.text.includes("<|file_sep|>")));
  });

  it("keeps the last three diff blocks, each cut to 40 lines", () => {
    const long = Array.from({ length: 100 }, (_, i) => `l${i}`).join("\n");
    const diffs = Array.from({ length: 5 }, (_, i) => ({ path: `f${i}.ts`, original: long, updated: "x" }));
    const text = promptToText(SWEEP_FORMAT.render({ path: "a.ts", diffs, original: "", current: "" }));
    assert.deepEqual([...text.matchAll(/(f\d)\.ts\.diff/g)].map((m) => m[1]), ["f2", "f3", "f4"]);
    assert.ok(text.includes("l39\n") && !text.includes("l40\n"));
  });
});
