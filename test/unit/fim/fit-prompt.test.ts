// The one rule both engines fit a FIM prompt to the context by: drop other files' snippets, last first, then halve the
// prefix window, and say when even the smallest prompt does not fit.
import { strict as assert } from "node:assert";
import { fitFimPrompt } from "../../../src/fim/fit-prompt";
import { qwenFormat } from "../../../src/fim/formats";
import { promptToText } from "../../../src/fim/layout";

describe("Fitting a FIM prompt", () => {
  const prefix = Array.from({ length: 60 }, (_, i) => `const value${i} = ${i};\n`).join("") + "return ";
  const snippets = [
    { path: "a.ts", content: "export const first = 1;\n".repeat(10) },
    { path: "b.ts", content: "export const second = 2;\n".repeat(10) },
  ];
  const measure = (prompt: Parameters<Parameters<typeof fitFimPrompt>[2]>[0]) => promptToText(prompt.pieces);

  it("keeps the whole prompt when it fits", () => {
    const fitted = fitFimPrompt(qwenFormat(), { prefix, suffix: ";\n", snippets }, measure, () => true);
    assert.equal(fitted.fits, true);
    assert.match(fitted.measured, /second = 2/);
    assert.match(fitted.measured, /value0 = 0/);
  });

  it("drops the last snippet before the first, and both before the prefix shrinks", () => {
    const whole = fitFimPrompt(qwenFormat(), { prefix, suffix: ";\n", snippets }, measure, () => true).measured;
    const secondLength = snippets[1].content.length;
    const fitted = fitFimPrompt(qwenFormat(), { prefix, suffix: ";\n", snippets }, measure, (text) => text.length <= whole.length - secondLength);
    assert.equal(fitted.fits, true);
    assert.match(fitted.measured, /first = 1/);
    assert.doesNotMatch(fitted.measured, /second = 2/);
    assert.match(fitted.measured, /value0 = 0/);
  });

  it("halves the prefix window from the front once no snippet is left, keeping the cursor's line", () => {
    const fitted = fitFimPrompt(qwenFormat(), { prefix, suffix: ";\n", snippets }, measure, (text) => text.length <= 600);
    assert.equal(fitted.fits, true);
    assert.doesNotMatch(fitted.measured, /first = 1/);
    assert.doesNotMatch(fitted.measured, /value0 = 0/);
    assert.match(fitted.measured, /value59 = 59;\nreturn /);
  });

  it("returns the smallest prompt and says it does not fit when nothing would", () => {
    const fitted = fitFimPrompt(qwenFormat(), { prefix, suffix: ";\n", snippets }, measure, () => false);
    assert.equal(fitted.fits, false);
    assert.ok(fitted.prompt.prefix.length <= 64, `prefix of ${fitted.prompt.prefix.length} characters`);
    assert.match(fitted.measured, /return $|return <\|fim_suffix\|>/m);
  });
});
