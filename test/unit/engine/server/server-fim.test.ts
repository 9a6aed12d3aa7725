import { strict as assert } from "node:assert";
import { qwenFormat } from "../../../../src/fim/formats";
import { promptToText, renderFimPrompt } from "../../../../src/fim/layout";
import { serverFimPrompt } from "../../../../src/engine/server/server-fim";

const PARAMS = {
  prefix: "import { Todo } from './todo';\n\nexport function countDone(items: Todo[]): number {\n  ",
  suffix: "\n}\n",
  snippets: [{ path: "src/todo.ts", content: "export interface Todo {\n  done: boolean;\n}\n" }],
  filePath: "src/count.ts",
  languageId: "typescript",
  maxTokens: 64,
};

describe("the server engine's FIM prompt", () => {
  it("is the local engine's rendering, special tokens written out, with the format's stop tokens", () => {
    const expected = promptToText(renderFimPrompt({ format: qwenFormat(), ...PARAMS }).pieces);
    const { prompt, stop } = serverFimPrompt(qwenFormat(), PARAMS, 4096);
    assert.equal(prompt, expected);
    assert.ok(prompt.endsWith("<|fim_middle|>"), prompt);
    assert.ok(qwenFormat().stopTokens.length > 0);
    for (const token of qwenFormat().stopTokens) assert.ok(stop.includes(token), `${token} in ${JSON.stringify(stop)}`);
  });

  it("drops other files' snippets first when the prompt would not fit the server's context", () => {
    const big = { ...PARAMS, snippets: [{ path: "src/big.ts", content: "x".repeat(20_000) }] };
    const { prompt } = serverFimPrompt(qwenFormat(), big, 2048);
    assert.ok(!prompt.includes("src/big.ts"), "the snippet is left out");
    assert.ok(prompt.includes("countDone"), "the code around the cursor stays");
  });

  it("keeps the whole prompt when the server's context is unknown", () => {
    const big = { ...PARAMS, snippets: [{ path: "src/big.ts", content: "x".repeat(20_000) }] };
    assert.ok(serverFimPrompt(qwenFormat(), big, 0).prompt.includes("src/big.ts"));
  });
});
