import { strict as assert } from "node:assert";
import { estimateTokens } from "../../../src/context/token-estimate";

/** Comments in several scripts, with the count Qwen2.5's own tokenizer gives for each (measured on qwen-vocab). */
const MEASURED = [
  { name: "Chinese", qwenTokens: 180, text: "// 计算两个数的最大公约数，并返回结果。如果输入为负数，则先取绝对值。这个函数在处理大整数时可能会比较慢。".repeat(5) },
  { name: "Japanese", qwenTokens: 190, text: "// この関数はユーザーの設定を読み込み、既定値とマージして返します。ファイルが存在しない場合は空のオブジェクトを返す。".repeat(5) },
  { name: "Korean", qwenTokens: 150, text: "// 사용자 설정을 읽고 기본값과 병합하여 반환합니다. 파일이 없으면 빈 객체를 반환합니다.".repeat(5) },
  { name: "emoji-laden", qwenTokens: 150, text: "const s = '🎉🚀✨🔥💡🙂👍🏽🇩🇪';\n".repeat(10) },
];

describe("estimateTokens", () => {
  it("counts nothing for an empty text", () => {
    assert.equal(estimateTokens(""), 0);
  });

  for (const sample of MEASURED) {
    it(`does not count a ${sample.name} text at less than the model's tokenizer does, so a budget is never overrun by it`, () => {
      const estimate = estimateTokens(sample.text);
      assert.ok(estimate >= sample.qwenTokens, `${estimate} estimated, ${sample.qwenTokens} by the tokenizer`);
      assert.ok(estimate <= sample.qwenTokens * 1.5, `${estimate} estimated is far above the tokenizer's ${sample.qwenTokens}: it would waste the window`);
    });
  }

  it("counts plain ASCII code at about 3.5 characters per token, with indentation runs counting for less", () => {
    assert.equal(estimateTokens("const total = sum(items);"), Math.ceil(25 / 3.5));
    assert.ok(estimateTokens(`if (x) {\n${" ".repeat(16)}y();\n}`) < Math.ceil((10 + 16 + 6) / 3.5));
  });
});
