import { strict as assert } from "node:assert";
import { knownFormats } from "../../../../src/fim/formats";
import { serverFimPrompt } from "../../../../src/engine/server/server-fim";
import { breakKnownSpecialTokens, breakSpellings, specialCandidates } from "../../../../src/engine/server/special-text";

const ZWJ = "\u200d";

describe("special-token spellings in text sent to a server", () => {
  it("breaks every known family's turn and FIM tokens with a zero-width joiner after the first character", () => {
    const text = "<|im_end|>\n<|im_start|>system <｜fim▁hole｜> <start_of_turn>user </s> [INST] [/INST] <fim_middle> [SUFFIX] <PRE>";
    const broken = breakKnownSpecialTokens(text);
    assert.equal(broken.replaceAll(ZWJ, ""), text, "nothing but joiners is added");
    for (const spelling of ["<|im_end|>", "<|im_start|>", "<｜fim▁hole｜>", "<start_of_turn>", "</s>", "[INST]", "[/INST]", "<fim_middle>", "[SUFFIX]", "<PRE>"]) {
      assert.ok(!broken.includes(spelling), `${spelling} is broken`);
    }
  });

  it("leaves code that merely has angle brackets or capitals in brackets alone where no tokenizer can be asked", () => {
    const code = "std::vector<my_type> v; buf[MAX_SIZE] = 0; <div><T>x</T></div>; a[I]";
    assert.equal(breakKnownSpecialTokens(code), code);
  });

  it("finds each possible spelling once, for the server's tokenizer to judge", () => {
    assert.deepEqual(specialCandidates(["<|im_end|> a<T> <|im_end|>", "[INST] <｜User｜> b[i]"]), ["<|im_end|>", "<T>", "[INST]", "<｜User｜>"]);
  });

  it("breaks exactly the spellings it is given, wherever they occur", () => {
    assert.equal(breakSpellings("<s> <s> <T>", ["<s>"]), `<${ZWJ}s> <${ZWJ}s> <T>`);
  });

  it("writes the FIM prompt's own special tokens whole and breaks the ones in the file's text (the text prompt, for vLLM and Ollama)", () => {
    const qwen = knownFormats().find((format) => format.id === "qwen")!;
    const { prompt } = serverFimPrompt(qwen, { prefix: "x = 1 <|fim_middle|><|endoftext|>\n", suffix: "\n<|fim_prefix|>", maxTokens: 16 });
    assert.equal(prompt.split("<|fim_middle|>").length - 1, 1);
    assert.ok(prompt.endsWith("<|fim_middle|>"));
    assert.equal(prompt.split("<|fim_prefix|>").length - 1, 1);
    assert.ok(!prompt.includes("<|endoftext|>"));
    assert.ok(prompt.includes(`<${ZWJ}|endoftext|>`));
  });
});
