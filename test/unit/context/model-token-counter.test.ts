import { strict as assert } from "node:assert";
import { silentLogger } from "../../../src/common/logger";
import { ModelTokenCounter, type TokenCountSource } from "../../../src/context/model-token-counter";
import { estimateTokens } from "../../../src/context/token-estimate";

/** A tokenizer that counts words, so that its counts differ from the estimate. */
class WordCounter implements TokenCountSource {
  modelPath: string | null = "/models/a.gguf";
  readonly requests: string[][] = [];
  async tokenCounts(texts: string[]) {
    this.requests.push(texts);
    if (this.modelPath === null) return null;
    return { modelPath: this.modelPath, counts: texts.map((t) => t.split(/\s+/).filter(Boolean).length + (t.endsWith("\n") ? 1 : 0)) };
  }
}

describe("ModelTokenCounter", () => {
  const line = "const total = items.reduce((sum, item) => sum + item.price, 0);\n";

  it("estimates a line the model has not counted yet, and gives the model's count once it has", async () => {
    const source = new WordCounter();
    const counter = new ModelTokenCounter(source, silentLogger);
    assert.equal(counter.count(line), estimateTokens(line));
    await counter.settled();
    assert.equal(counter.count(line), 11);
  });

  it("tells how many lines it had to estimate, so a caller knows whether a count was the model's own", async () => {
    const counter = new ModelTokenCounter(new WordCounter(), silentLogger);
    const before = counter.estimatedLines;
    counter.count(`${line}return total;`);
    assert.equal(counter.estimatedLines, before + 2);
    await counter.settled();
    counter.count(`${line}return total;`);
    assert.equal(counter.estimatedLines, before + 2, "both lines counted by the model now");
  });

  it("counts a text of many lines as the sum of its lines' counts", async () => {
    const counter = new ModelTokenCounter(new WordCounter(), silentLogger);
    const text = `${line}${line}return total;`;
    counter.count(text);
    await counter.settled();
    assert.equal(counter.count(text), 11 + 11 + 2);
  });

  it("sends each new line to the engine once, in batches", async () => {
    const source = new WordCounter();
    const counter = new ModelTokenCounter(source, silentLogger, { batchSize: 2 });
    for (let i = 0; i < 3; i++) counter.count(`a${i}\nb${i}\n`);
    counter.count("a0\n");
    await counter.settled();
    counter.count("a0\nb2\n");
    await counter.settled();
    assert.deepEqual(source.requests.map((r) => r.length), [2, 2, 2]);
  });

  it("keeps estimating while no model is loaded, and asks again when the line comes round", async () => {
    const source = new WordCounter();
    source.modelPath = null;
    const counter = new ModelTokenCounter(source, silentLogger);
    counter.count(line);
    await counter.settled();
    assert.equal(counter.count(line), estimateTokens(line));
    source.modelPath = "/models/a.gguf";
    await counter.settled();
    assert.equal(counter.count(line), 11);
  });

  it("drops every count when another model answers", async () => {
    const source = new WordCounter();
    const counter = new ModelTokenCounter(source, silentLogger);
    counter.count(line);
    await counter.settled();
    source.modelPath = "/models/b.gguf";
    counter.count("x\n");
    await counter.settled();
    assert.equal(counter.count(line), estimateTokens(line));
  });

  it("estimates again after forget() (the model was unloaded or replaced)", async () => {
    const counter = new ModelTokenCounter(new WordCounter(), silentLogger);
    counter.count(line);
    await counter.settled();
    counter.forget();
    assert.equal(counter.count(line), estimateTokens(line));
  });

  it("says whether settling had the model count anything (nothing to count, or no model, is false)", async () => {
    const source = new WordCounter();
    const counter = new ModelTokenCounter(source, silentLogger);
    counter.count(line);
    assert.equal(await counter.settled(), true);
    assert.equal(await counter.settled(), false, "nothing was waiting");
    source.modelPath = null;
    counter.count("return total;");
    assert.equal(await counter.settled(), false, "no model to count with");
  });

  it("keeps nothing from an answer that arrives after forget(): it is the old model's", async () => {
    let release: () => void = () => undefined;
    const slow: TokenCountSource = {
      tokenCounts: async (texts) => {
        await new Promise<void>((resolve) => (release = resolve));
        return { modelPath: "/models/old.gguf", counts: texts.map(() => 99) };
      },
    };
    const counter = new ModelTokenCounter(slow, silentLogger);
    counter.count(line);
    const settling = counter.settled();
    await new Promise((resolve) => setImmediate(resolve));
    counter.forget();
    release();
    assert.equal(await settling, false);
    assert.equal(counter.count(line), estimateTokens(line));
  });
});
