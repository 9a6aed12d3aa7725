// FIM format detection from GGUF metadata alone: token texts, FIM token ids, architecture and name.
import { strict as assert } from "node:assert";
import { detectFimFormat, vocabInfoFromGgufMetadata } from "../../../src/fim/detect";
import type { ModelVocabInfo } from "../../../src/fim/types";
import { PREFIX, SUFFIX, render, special, text } from "./example";

function vocab(tokens: string[], extra: Partial<ModelVocabInfo> = {}): ModelVocabInfo {
  return { architecture: "llama", tokens: ["<s>", "</s>", "a", "b", ...tokens], fimTokenIds: {}, ...extra };
}

describe("FIM format detection from metadata", () => {
  it("detects Codestral from [SUFFIX] and [PREFIX]", () => {
    const format = detectFimFormat(vocab(["[INST]", "[PREFIX]", "[MIDDLE]", "[SUFFIX]"], { name: "Codestral 22B v0.1" }));
    assert.equal(format?.id, "codestral");
    assert.equal(format?.familyName, "Codestral");
  });

  it("detects CodeLlama from ▁<PRE>/▁<SUF>/▁<MID> and stops on the vocabulary's ▁<EOT>", () => {
    const format = detectFimFormat(vocab(["\u2581<PRE>", "\u2581<SUF>", "\u2581<MID>", "\u2581<EOT>"]));
    assert.equal(format?.id, "codellama");
    assert.deepEqual(format?.stopTokens, ["\u2581<EOT>", "</s>"]);
  });

  it("detects CodeLlama spelled without the SentencePiece space and renders that spelling", () => {
    const format = detectFimFormat(vocab(["<PRE>", "<SUF>", "<MID>", "<EOT>"]))!;
    assert.equal(format.id, "codellama");
    assert.deepEqual(render(format, { snippets: [], prefix: "x" })[0], special("<PRE>"));
  });

  it("detects CodeGemma from <|fim_prefix|> with <|file_separator|>", () => {
    const format = detectFimFormat(vocab(["<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|file_separator|>", "<eos>"], { architecture: "gemma", name: "codegemma-2b" }));
    assert.equal(format?.id, "codegemma");
    assert.equal(format?.familyName, "CodeGemma");
    assert.deepEqual(format?.stopTokens, ["<|file_separator|>", "<eos>", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"]);
  });

  it("names the format, not the family, for a model that only shares the family's FIM tokens", () => {
    const format = detectFimFormat(vocab(["<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|file_separator|>"], { architecture: "gemma2", name: "gemma-2-9b-it" }));
    assert.equal(format?.familyName, "CodeGemma format");
  });

  it("tells Mellum from StarCoder-tokenizer models by its metadata name", () => {
    const tokens = ["<|endoftext|>", "<fim_prefix>", "<fim_middle>", "<fim_suffix>", "<fim_pad>", "<filename>", "<reponame>"];
    assert.equal(detectFimFormat(vocab(tokens, { name: "Mellum 4b Base" }))?.id, "mellum");
    assert.equal(detectFimFormat(vocab(tokens, { organization: "JetBrains" }))?.id, "mellum");
    const granite = detectFimFormat(vocab(tokens, { name: "granite-8b-code-base" }));
    assert.equal(granite?.id, "starcoder");
    assert.equal(granite?.familyName, "StarCoder-style");
  });

  it("puts StarCoder itself suffix first, as it was trained, and other models on its tokenizer prefix first", () => {
    const tokens = ["<|endoftext|>", "<fim_prefix>", "<fim_middle>", "<fim_suffix>", "<fim_pad>", "<filename>"];
    assert.equal(detectFimFormat(vocab(tokens, { architecture: "starcoder" }))?.order, "spm");
    assert.equal(detectFimFormat(vocab(tokens, { architecture: "refact" }))?.order, "psm");
    assert.equal(detectFimFormat(vocab(tokens, { name: "granite-8b-code-base" }))?.order, "psm");
  });

  it("leaves out StarCoder2's repository name when the vocabulary has <file_sep> but no <repo_name>", () => {
    const format = detectFimFormat(vocab(["<fim_prefix>", "<fim_middle>", "<fim_suffix>", "<file_sep>", "<reponame>"], { name: "CodeQwen1.5-7B" }))!;
    assert.equal(format.id, "starcoder2");
    assert.equal(format.familyName, "StarCoder2 format");
    assert.ok(!render(format).some((piece) => piece.kind === "special" && piece.token === "<repo_name>"));
  });

  it("writes only special tokens that the vocabulary has, for every detected format", () => {
    const vocabularies = [
      vocab(["[PREFIX]", "[SUFFIX]"]),
      vocab(["<PRE>", "<SUF>", "<MID>"]),
      vocab(["<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|file_separator|>"]),
      vocab(["<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|repo_name|>", "<|file_sep|>"]),
      vocab(["<\uFF5Cfim\u2581begin\uFF5C>", "<\uFF5Cfim\u2581hole\uFF5C>", "<\uFF5Cfim\u2581end\uFF5C>"]),
      vocab(["<fim_prefix>", "<fim_middle>", "<fim_suffix>", "<file_sep>"]),
      vocab(["<fim_prefix>", "<fim_middle>", "<fim_suffix>"], { name: "Mellum 4b" }),
      vocab(["<fim_prefix>", "<fim_middle>", "<fim_suffix>", "<filename>"], { name: "Mellum 4b" }),
    ];
    for (const info of vocabularies) {
      const format = detectFimFormat(info)!;
      for (const piece of render(format)) {
        if (piece.kind === "special") assert.ok(info.tokens.includes(piece.token), `${format.familyName} writes ${piece.token}`);
      }
      for (const token of format.stopTokens) assert.ok(info.tokens.includes(token), `${format.familyName} stops on ${token}`);
    }
  });

  it("falls back to the FIM token ids the GGUF declares", () => {
    const format = detectFimFormat(vocab(["<pfx>", "<sfx>", "<mdl>"], { fimTokenIds: { pre: 4, suf: 5, mid: 6 } }));
    assert.equal(format?.id, "generic");
    assert.deepEqual(render(format!, { snippets: [] }), [special("<pfx>"), text(PREFIX), special("<sfx>"), text(SUFFIX), special("<mdl>")]);
    assert.match(format?.detectedBy ?? "", /GGUF FIM token ids/);
  });

  it("falls back to the FIM token texts llama.cpp knows (GLM-4.5's <|code_prefix|>)", () => {
    const format = detectFimFormat(vocab(["<|code_prefix|>", "<|code_suffix|>", "<|code_middle|>"]));
    assert.equal(format?.id, "generic");
    assert.deepEqual(render(format!, { snippets: [] })[0], special("<|code_prefix|>"));
  });

  it("returns null for a vocabulary without FIM tokens, whatever the model is called", () => {
    assert.equal(detectFimFormat(vocab(["<|im_start|>", "<|im_end|>"], { name: "qwen2.5-coder-7b-instruct-q4_k_m" })), null);
  });

  it("ignores FIM token ids outside the vocabulary", () => {
    assert.equal(detectFimFormat(vocab([], { fimTokenIds: { pre: 900, suf: 901 } })), null);
  });

  it("reads the older prefix/suffix/middle id keys from GGUF metadata", () => {
    const info = vocabInfoFromGgufMetadata({
      general: { architecture: "llama", name: "x" },
      tokenizer: { ggml: { tokens: ["a", "b", "c"], prefix_token_id: 0, suffix_token_id: 1, middle_token_id: 2 } },
    });
    assert.deepEqual(info.fimTokenIds, { pre: 0, suf: 1, mid: 2 });
  });

  it("extracts nothing rather than throwing from malformed metadata", () => {
    assert.deepEqual(vocabInfoFromGgufMetadata(null), { architecture: "", tokens: [], fimTokenIds: {} });
  });
});
