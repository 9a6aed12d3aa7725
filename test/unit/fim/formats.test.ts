// FIM prompt formats: the exact pieces each family's format renders, and what each stops on.
import { strict as assert } from "node:assert";
import {
  codegemmaFormat,
  codellamaFormat,
  codestralFormat,
  deepseekFormat,
  genericFormat,
  mellumFormat,
  qwenFormat,
  starcoder2Format,
  starcoderFormat,
} from "../../../src/fim/formats";
import { PREFIX, SUFFIX, render, special, text } from "./example";

const COMMENTS = "# Path: consts.py\n# PI = 3.14159\n\n# Path: geometry.py\n";

describe("FIM formats", () => {
  it("renders Qwen2.5-Coder in its repo-level layout, prefix-suffix-middle", () => {
    assert.deepEqual(render(qwenFormat()), [
      special("<|repo_name|>"), text("shapes\n"),
      special("<|file_sep|>"), text("consts.py\nPI = 3.14159\n"),
      special("<|file_sep|>"), text("geometry.py\n"),
      special("<|fim_prefix|>"), text(PREFIX), special("<|fim_suffix|>"), text(SUFFIX), special("<|fim_middle|>"),
    ]);
  });

  it("renders Qwen2.5-Coder at file level when there is neither a snippet nor a path", () => {
    assert.deepEqual(render(qwenFormat(), { snippets: [], filePath: undefined }), [
      special("<|fim_prefix|>"), text(PREFIX), special("<|fim_suffix|>"), text(SUFFIX), special("<|fim_middle|>"),
    ]);
  });

  it("renders DeepSeek-Coder with its fullwidth begin/hole/end tokens and snippets as comments", () => {
    assert.deepEqual(render(deepseekFormat()), [
      special("<\uFF5Cfim\u2581begin\uFF5C>"), text(COMMENTS), text(PREFIX),
      special("<\uFF5Cfim\u2581hole\uFF5C>"), text(SUFFIX), special("<\uFF5Cfim\u2581end\uFF5C>"),
    ]);
  });

  it("renders StarCoder2 with <repo_name>/<file_sep> and the current path inside the FIM prefix", () => {
    assert.deepEqual(render(starcoder2Format()), [
      special("<repo_name>"), text("shapes"),
      special("<file_sep>"), text("consts.py\nPI = 3.14159\n"),
      special("<file_sep>"), special("<fim_prefix>"), text("geometry.py\n"), text(PREFIX),
      special("<fim_suffix>"), text(SUFFIX), special("<fim_middle>"),
    ]);
  });

  it("renders StarCoder suffix first, in its trained SPM layout, with snippets as comments at the top of the prefix", () => {
    assert.deepEqual(render(starcoderFormat()), [
      special("<fim_prefix>"), special("<fim_suffix>"), text(SUFFIX), special("<fim_middle>"), text(COMMENTS), text(PREFIX),
    ]);
    assert.equal(starcoderFormat().order, "spm");
  });

  it("renders Mellum suffix first, after <filename> blocks", () => {
    assert.deepEqual(render(mellumFormat()), [
      special("<filename>"), text("consts.py\nPI = 3.14159\n"),
      special("<filename>"), text("geometry.py\n"),
      special("<fim_suffix>"), text(SUFFIX), special("<fim_prefix>"), text(PREFIX), special("<fim_middle>"),
    ]);
  });

  it("renders CodeLlama suffix first (▁<PRE>▁<SUF>suffix▁<MID>prefix) with SentencePiece's space before the prefix only", () => {
    assert.deepEqual(render(codellamaFormat()), [
      special("\u2581<PRE>"), special("\u2581<SUF>"), text(SUFFIX), special("\u2581<MID>"), text(` ${COMMENTS}`), text(PREFIX),
    ]);
    assert.equal(codellamaFormat().order, "spm");
  });

  it("keeps the prefix-first order for the families trained on it alone (Qwen2.5-Coder, DeepSeek-Coder, StarCoder2, CodeGemma)", () => {
    for (const format of [qwenFormat(), deepseekFormat(), starcoder2Format(), codegemmaFormat()]) assert.equal(format.order, "psm", format.familyName);
  });

  it("renders CodeGemma with <|fim_prefix|> … <|fim_middle|>", () => {
    assert.deepEqual(render(codegemmaFormat()), [
      special("<|fim_prefix|>"), text(COMMENTS), text(PREFIX), special("<|fim_suffix|>"), text(SUFFIX), special("<|fim_middle|>"),
    ]);
  });

  it("renders Codestral as [SUFFIX]suffix[PREFIX] prefix, with no middle token", () => {
    assert.deepEqual(render(codestralFormat()), [special("[SUFFIX]"), text(SUFFIX), special("[PREFIX]"), text(` ${COMMENTS}`), text(PREFIX)]);
  });

  it("renders a generic format with a middle token in prefix-suffix-middle order", () => {
    const format = genericFormat({ pre: "<P>", suf: "<S>", mid: "<M>" });
    assert.deepEqual(render(format), [special("<P>"), text(COMMENTS), text(PREFIX), special("<S>"), text(SUFFIX), special("<M>")]);
  });

  it("renders a generic format without a middle token suffix first, as llama.cpp does", () => {
    const format = genericFormat({ pre: "<P>", suf: "<S>" });
    assert.deepEqual(render(format, { snippets: [] }), [special("<S>"), text(SUFFIX), special("<P>"), text(PREFIX)]);
  });

  it("renders a generic format with repo and file-separator tokens in llama-server's repo layout", () => {
    const format = genericFormat({ pre: "<P>", suf: "<S>", mid: "<M>", rep: "<R>", sep: "<F>" });
    assert.deepEqual(render(format), [
      special("<R>"), text("shapes\n"), special("<F>"), text("consts.py\nPI = 3.14159\n"), special("<F>"), text("geometry.py\n"),
      special("<P>"), text(PREFIX), special("<S>"), text(SUFFIX), special("<M>"),
    ]);
  });

  it("keeps code that contains a special token's text as plain text", () => {
    const pieces = render(qwenFormat(), { prefix: 'marker = "<|fim_prefix|>"\n', snippets: [], filePath: undefined });
    assert.deepEqual(pieces[1], text('marker = "<|fim_prefix|>"\n'));
    assert.equal(pieces.filter((p) => p.kind === "special" && p.token === "<|fim_prefix|>").length, 1);
  });

  it("writes snippets in the file's comment syntax, from the language id or else the extension", () => {
    const ts = render(starcoderFormat(), { languageId: "typescript", filePath: "a.ts" });
    assert.deepEqual(ts[4], text("// Path: consts.py\n// PI = 3.14159\n\n// Path: a.ts\n"));
    const css = render(starcoderFormat(), { languageId: undefined, filePath: "site.css", snippets: [{ path: "b.css", content: "a { x: 1 } /* c */" }] });
    assert.deepEqual(css[4], text("/* Path: b.css\na { x: 1 } /* c * /\n*/\n\n/* Path: site.css */\n"));
  });

  it("ends every format on what the model's family stops on", () => {
    assert.deepEqual(qwenFormat().stopTokens, ["<|endoftext|>", "<|file_sep|>", "<|fim_pad|>", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|repo_name|>", "<|im_end|>"]);
    assert.ok(deepseekFormat().stopTokens.includes("<\uFF5Cend\u2581of\u2581sentence\uFF5C>"));
    assert.ok(starcoder2Format().stopTokens.includes("<file_sep>"));
    assert.deepEqual(codellamaFormat().stopTokens, ["\u2581<EOT>", "</s>"]);
    assert.deepEqual(codellamaFormat().stopStrings, ["<EOT>"]);
    assert.ok(codegemmaFormat().stopTokens.includes("<|file_separator|>"));
    assert.ok(codestralFormat().stopTokens.includes("</s>"));
  });
});
