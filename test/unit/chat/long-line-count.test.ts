// The chat's count of a long line, with the tiny model's own tokenizer through the real engine: a line of an answer
// longer than the counter's per-line limit must still end up counted by the model, so the budget line can stop saying
// "estimate".
import { strict as assert } from "node:assert";
import { countLongLinesInPieces } from "../../../src/chat/long-line-count";
import { ModelTokenCounter } from "../../../src/context/model-token-counter";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { clientsDisposedAfterEach, MemoryLogger, testSettings } from "../helpers/engine";

describe("counting the chat's long lines", function () {
  this.timeout(60_000);
  const open = clientsDisposedAfterEach();
  /** One paragraph on one line, as models write them: about 4,400 characters. */
  const paragraph = Array.from({ length: 80 }, (_, i) => `Sentence ${i} says what the function does with its arguments.`).join(" ");
  const answer = `Here is what it does:\n\n${paragraph}\n\nThat is all.`;

  const counters = async () => {
    const client = open();
    await client.configure(testSettings(await ensureTestModel("tiny")));
    await client.load();
    const tokens = new ModelTokenCounter({ tokenCounts: (texts, options) => client.tokenCounts(texts, options) }, new MemoryLogger());
    return { client, tokens };
  };

  it("gets a paragraph longer than 2,000 characters counted by the model: the count stops being an estimate", async () => {
    const { tokens } = await counters();
    const count = countLongLinesInPieces(tokens.count);
    count(answer);
    await tokens.settled();
    const before = tokens.estimatedLines;
    count(answer);
    assert.equal(tokens.estimatedLines, before, "no line of the answer was estimated the second time");
  });

  it("leaves the plain counter estimating that paragraph for good (why the chat counts in pieces)", async () => {
    const { tokens } = await counters();
    tokens.count(answer);
    await tokens.settled();
    const before = tokens.estimatedLines;
    tokens.count(answer);
    assert.equal(tokens.estimatedLines, before + 1, "the long line is estimated again");
  });

  it("counts a long line in pieces within one token per piece of the model's count of the whole line", async () => {
    const { client, tokens } = await counters();
    const count = countLongLinesInPieces(tokens.count);
    count(paragraph);
    await tokens.settled();
    const inPieces = count(paragraph);
    const whole = (await client.tokenCounts([paragraph]))!.counts[0]!;
    const pieces = Math.ceil(paragraph.length / 500);
    assert.ok(Math.abs(inPieces - whole) <= pieces, `in pieces ${inPieces}, whole ${whole}`);
  });
});
