// FIM prompt formats: exact rendering per family, detection from GGUF metadata, the KV-cache-friendly windows, and
// tokenisation on real tokenizers (node-llama-cpp's bundled vocab-only GGUFs, loaded with vocabOnly, one thread).
import { strict as assert } from "node:assert";
import type { Llama, LlamaModel } from "node-llama-cpp" with { "resolution-mode": "import" };
import {
  PSM_WINDOW,
  codegemmaFormat,
  codellamaFormat,
  codestralFormat,
  cutPrefixWindow,
  cutSuffixWindow,
  deepseekFormat,
  defaultFimWindow,
  detectFimFormat,
  genericFormat,
  mellumFormat,
  promptToText,
  qwenFormat,
  renderFimPrompt,
  starcoder2Format,
  starcoderFormat,
  vocabInfoFromGgufMetadata,
} from "../../src/completion/fim-formats";
import type { FimFormat, FimSnippet, ModelVocabInfo, PromptPiece } from "../../src/completion/fim-formats";
import { ensureTestModel, extractBundledVocab } from "../fixtures/models/test-models";

type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });
type PromptTokens = typeof import("../../src/engine/worker/prompt-tokens.mjs", { with: { "resolution-mode": "import" } });

const text = (value: string): PromptPiece => ({ kind: "text", text: value });
const special = (token: string): PromptPiece => ({ kind: "special", token });

// One fixed example for every family: a Python file with one snippet from another file.
const PREFIX = "def area(r):\n    return ";
const SUFFIX = " * r * r\n\nprint(area(2))\n";
const SNIPPETS: FimSnippet[] = [{ path: "consts.py", content: "PI = 3.14159\n" }];
const EXAMPLE = { prefix: PREFIX, suffix: SUFFIX, snippets: SNIPPETS, filePath: "geometry.py", repoName: "shapes", languageId: "python" };
const COMMENTS = "# Path: consts.py\n# PI = 3.14159\n\n# Path: geometry.py\n";

function render(format: FimFormat, overrides: Partial<typeof EXAMPLE> = {}): PromptPiece[] {
  return renderFimPrompt({ format, ...EXAMPLE, ...overrides }).pieces;
}

function vocab(tokens: string[], extra: Partial<ModelVocabInfo> = {}): ModelVocabInfo {
  return { architecture: "llama", tokens: ["<s>", "</s>", "a", "b", ...tokens], fimTokenIds: {}, ...extra };
}

describe("FIM formats", () => {
  describe("rendering", () => {
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

    it("renders StarCoder with snippets as comments at the top of the prefix", () => {
      assert.deepEqual(render(starcoderFormat()), [
        special("<fim_prefix>"), text(COMMENTS), text(PREFIX), special("<fim_suffix>"), text(SUFFIX), special("<fim_middle>"),
      ]);
    });

    it("renders Mellum suffix first, after <filename> blocks", () => {
      assert.deepEqual(render(mellumFormat()), [
        special("<filename>"), text("consts.py\nPI = 3.14159\n"),
        special("<filename>"), text("geometry.py\n"),
        special("<fim_suffix>"), text(SUFFIX), special("<fim_prefix>"), text(PREFIX), special("<fim_middle>"),
      ]);
    });

    it("renders CodeLlama with ▁<PRE>/▁<SUF>/▁<MID> and SentencePiece's space before the prefix only", () => {
      assert.deepEqual(render(codellamaFormat()), [
        special("\u2581<PRE>"), text(` ${COMMENTS}`), text(PREFIX), special("\u2581<SUF>"), text(SUFFIX), special("\u2581<MID>"),
      ]);
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
      assert.deepEqual(ts[1], text("// Path: consts.py\n// PI = 3.14159\n\n// Path: a.ts\n"));
      const css = render(starcoderFormat(), { languageId: undefined, filePath: "site.css", snippets: [{ path: "b.css", content: "a { x: 1 } /* c */" }] });
      assert.deepEqual(css[1], text("/* Path: b.css\na { x: 1 } /* c * /\n*/\n\n/* Path: site.css */\n"));
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

  describe("detection from metadata", () => {
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

  describe("windows", () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i}\n`);
    const prefixAt = (line: number, typed: string) => lines.slice(0, line).join("") + typed;
    const options = { maxPrefixLines: 20, prefixAnchorLines: 8, maxPrefixChars: 10_000 };

    it("starts the prefix window at a line start on a multiple of the anchor", () => {
      const window = cutPrefixWindow(prefixAt(70, "ret"), options);
      assert.equal(window.startLine, 56);
      assert.ok(window.text.startsWith("line 56\n"));
      assert.ok(window.text.endsWith("line 69\nret"));
    });

    it("does not move the window start while the user types on the cursor's line", () => {
      const before = cutPrefixWindow(prefixAt(70, "ret"), options);
      const after = cutPrefixWindow(prefixAt(70, "retu"), options);
      assert.equal(after.startLine, before.startLine);
      assert.ok(after.text.startsWith(before.text));
    });

    it("moves the window start only when the cursor crosses an anchor line", () => {
      const starts = [70, 71, 72, 73, 74, 75, 76, 77, 78].map((line) => cutPrefixWindow(prefixAt(line, ""), options).startLine);
      assert.deepEqual(starts, [56, 56, 56, 56, 56, 56, 56, 64, 64]);
    });

    it("counts anchors from the document's first line when the prefix starts further down", () => {
      const window = cutPrefixWindow(lines.slice(10, 70).join("") + "x", options, 10);
      assert.equal(window.startLine, 56);
      assert.ok(window.text.startsWith("line 56\n"));
    });

    it("moves the start down by whole anchor steps to stay within the character budget", () => {
      const window = cutPrefixWindow(prefixAt(70, "x"), { ...options, maxPrefixChars: 60 });
      assert.equal(window.startLine, 64);
      assert.equal(window.text, lines.slice(64, 70).join("") + "x");
    });

    it("cuts inside the cursor's line only when that line alone is over the budget", () => {
      const window = cutPrefixWindow(prefixAt(3, "y".repeat(50)), { ...options, maxPrefixChars: 10 });
      assert.equal(window.text, "y".repeat(10));
    });

    it("keeps the rest of the cursor's line and at most maxSuffixLines more lines of suffix", () => {
      assert.equal(cutSuffixWindow(") {\n  a();\n  b();\n  c();\n}\n", { maxSuffixLines: 2, maxSuffixChars: 1000 }), ") {\n  a();\n  b();\n");
    });

    it("drops whole suffix lines to stay within the character budget", () => {
      assert.equal(cutSuffixWindow(") {\n  a();\n  b();\n", { maxSuffixLines: 5, maxSuffixChars: 12 }), ") {\n  a();\n");
    });

    it("cuts a cursor line longer than the suffix budget at the budget", () => {
      assert.equal(cutSuffixWindow("abcdefghij\nk\n", { maxSuffixLines: 2, maxSuffixChars: 4 }), "abcd");
    });

    it("gives suffix-first formats a longer suffix, since it stays cached while the user types", () => {
      assert.equal(defaultFimWindow(qwenFormat()).maxSuffixLines, PSM_WINDOW.maxSuffixLines);
      assert.ok(defaultFimWindow(codestralFormat()).maxSuffixLines > PSM_WINDOW.maxSuffixLines);
      assert.ok(defaultFimWindow(mellumFormat()).maxSuffixChars > PSM_WINDOW.maxSuffixChars);
    });

    it("puts the windows, not the whole text, into the prompt", () => {
      const prompt = renderFimPrompt({ format: qwenFormat(), prefix: prefixAt(70, "ret"), suffix: "urn x\nA\nB\nC\nD\n", window: options });
      assert.equal(prompt.prefixStartLine, 56);
      assert.equal(prompt.suffix, "urn x\nA\nB\n");
      assert.equal(promptToText(prompt.pieces), `<|fim_prefix|>${prompt.prefix}<|fim_suffix|>urn x\nA\nB\n<|fim_middle|>`);
    });
  });

  describe("on real tokenizers", function () {
    this.timeout(120_000);

    let nlc: NodeLlamaCpp;
    let tok: PromptTokens;
    let llama: Llama;
    const loaded = new Map<string, Promise<{ model: LlamaModel; info: ModelVocabInfo }>>();

    before(async function () {
      nlc = await import("node-llama-cpp");
      tok = await import("../../src/engine/worker/prompt-tokens.mjs");
      // Vocab-only GGUFs make llama.cpp log "missing tensor" while it falls back to the vocabulary: keep that out of the output.
      llama = await nlc.getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: nlc.LlamaLogLevel.error, logger: () => {} });
    });

    after(async function () {
      for (const pending of loaded.values()) await (await pending).model.dispose();
      await llama?.dispose();
    });

    /** A vocab-only model and the detection input read from the same file's metadata. */
    function open(name: "qwen-vocab" | "deepseek-coder" | "starcoder" | "refact" | "qwen2" | "llama-spm" | "phi-3" | "gpt-2") {
      let pending = loaded.get(name);
      if (!pending) {
        pending = (async () => {
          const path = name === "qwen-vocab" ? await ensureTestModel("qwen-vocab") : await extractBundledVocab(name);
          const fileInfo = await nlc.readGgufFileInfo(path, { readTensorInfo: false });
          const model = await llama.loadModel({ modelPath: path, gpuLayers: 0, vocabOnly: true });
          return { model, info: vocabInfoFromGgufMetadata(fileInfo.metadata) };
        })();
        loaded.set(name, pending);
      }
      return pending;
    }

    const count = (tokens: readonly number[], token: number) => tokens.filter((t) => t === token).length;
    const tokenize = (model: LlamaModel, pieces: readonly PromptPiece[]) => tok.tokenizePrompt(model, pieces);

    it("reads Qwen2.5's FIM token ids from the qwen-vocab model's metadata", async () => {
      const { info } = await open("qwen-vocab");
      assert.deepEqual(info.fimTokenIds, { pre: 151659, suf: 151661, mid: 151660, pad: 151662, rep: 151663, sep: 151664 });
    });

    it("detects Qwen2.5-Coder on the real Qwen2 vocabulary with Qwen2.5's specials", async () => {
      const { info } = await open("qwen-vocab");
      const format = detectFimFormat(info);
      assert.equal(format?.id, "qwen");
      assert.equal(format?.familyName, "Qwen2.5-Coder format"); // the test model names itself "Hearth qwen-vocab test model"
    });

    it("tokenises Qwen2.5-Coder's special pieces to their single real ids", async () => {
      const { model, info } = await open("qwen-vocab");
      const tokens = tok.tokenizePrompt(model, renderFimPrompt({ format: detectFimFormat(info)!, ...EXAMPLE }).pieces);
      assert.equal(tokens[0], 151663); // <|repo_name|>
      assert.equal(count(tokens, 151664), 2); // <|file_sep|>: one snippet + the current file
      assert.equal(count(tokens, 151659), 1); // <|fim_prefix|>
      assert.equal(count(tokens, 151661), 1); // <|fim_suffix|>
      assert.equal(tokens.at(-1), 151660); // <|fim_middle|>
    });

    it("gives back the rendered text when the Qwen tokens are detokenised", async () => {
      const { model } = await open("qwen-vocab");
      const pieces = renderFimPrompt({ format: qwenFormat(), ...EXAMPLE }).pieces;
      assert.equal(model.detokenize(tokenize(model, pieces), true), promptToText(pieces));
    });

    it("does not tokenise code containing the literal text <|fim_prefix|> to the special id", async () => {
      const { model } = await open("qwen-vocab");
      const pieces = renderFimPrompt({ format: qwenFormat(), prefix: 'const m = "<|fim_prefix|>";\n', suffix: "" }).pieces;
      const tokens = tok.tokenizePrompt(model, pieces);
      assert.equal(count(tokens, 151659), 1);
      assert.equal(tokens[0], 151659);
    });

    it("resolves every Qwen stop token to one id", async () => {
      const { model } = await open("qwen-vocab");
      assert.deepEqual(tok.resolveStopTokens(model, qwenFormat().stopTokens), [151643, 151664, 151662, 151659, 151661, 151660, 151663, 151645]);
    });

    it("re-evaluates only the cursor line's end and the short suffix when the user types one more character", async () => {
      const { model } = await open("qwen-vocab");
      const document = Array.from({ length: 120 }, (_, i) => `  const value${i} = compute(${i}, "item ${i}");\n`);
      const promptAt = (typed: string) =>
        tokenize(model, renderFimPrompt({ format: qwenFormat(), ...EXAMPLE, prefix: document.slice(0, 100).join("") + typed, suffix: document.slice(100).join("") }).pieces);
      const before = promptAt("  const total = val");
      const after = promptAt("  const total = valu");
      let common = 0;
      while (common < before.length && before[common] === after[common]) common++;
      const suffixTokens = model.tokenize(cutSuffixWindow(document.slice(100).join(""), PSM_WINDOW), false).length;
      const cursorLineTokens = model.tokenize("  const total = valu", false).length;
      const reevaluated = after.length - common;
      assert.ok(reevaluated <= cursorLineTokens + suffixTokens + 2, `re-evaluated ${reevaluated} of ${after.length}`);
      assert.ok(reevaluated < after.length / 10, `re-evaluated ${reevaluated} of ${after.length}`);
    });

    it("detects DeepSeek-Coder and tokenises <｜fim▁begin｜>, <｜fim▁hole｜>, <｜fim▁end｜> to ids 32016, 32015, 32017", async () => {
      const { model, info } = await open("deepseek-coder");
      const format = detectFimFormat(info)!;
      assert.equal(format.id, "deepseek");
      const tokens = tok.tokenizePrompt(model, renderFimPrompt({ format, ...EXAMPLE }).pieces);
      assert.equal(tokens[0], 32016);
      assert.equal(count(tokens, 32015), 1);
      assert.equal(tokens.at(-1), 32017);
      assert.deepEqual(tok.resolveStopTokens(model, format.stopTokens), [32014, 32021, 32016, 32015, 32017]); // 32021 is <|EOT|>
    });

    it("keeps DeepSeek's FIM token texts in code as text", async () => {
      const { model } = await open("deepseek-coder");
      const code = "hole = '<\uFF5Cfim\u2581hole\uFF5C>'\n";
      const tokens = tok.tokenizePrompt(model, renderFimPrompt({ format: deepseekFormat(), prefix: code, suffix: "" }).pieces);
      assert.equal(count(tokens, 32015), 1); // only the format's own hole
      assert.equal(model.detokenize(tokens, true), promptToText(renderFimPrompt({ format: deepseekFormat(), prefix: code, suffix: "" }).pieces));
    });

    it("keeps a user-defined token that plain tokenising would match (DeepSeek's <|EOT|>) out of guarded code", async () => {
      const { model } = await open("deepseek-coder");
      const code = "end = '<|EOT|>'\n";
      assert.ok(count(model.tokenize(code, false), 32021) > 0, "llama.cpp matches user-defined tokens even with special tokens off");
      const prompt = renderFimPrompt({ format: deepseekFormat(), prefix: code, suffix: "" });
      const pieces = prompt.pieces;
      const tokens = tok.tokenizePrompt(model, pieces, { guard: prompt.specialTokens });
      assert.equal(count(tokens, 32021), 0);
      assert.equal(model.detokenize(tokens, true), promptToText(pieces));
    });

    it("prepends DeepSeek's BOS only when asked to", async () => {
      const { model } = await open("deepseek-coder");
      const pieces = renderFimPrompt({ format: deepseekFormat(), prefix: "x", suffix: "" }).pieces;
      assert.equal(tok.tokenizePrompt(model, pieces)[0], 32016);
      assert.equal(tok.tokenizePrompt(model, pieces, { addBos: true })[0], 32013);
    });

    it("detects StarCoder2 and tokenises <fim_prefix> to id 1 and <file_sep> to id 6", async () => {
      const { model, info } = await open("starcoder");
      const format = detectFimFormat(info)!;
      assert.equal(format.id, "starcoder2");
      const tokens = tok.tokenizePrompt(model, renderFimPrompt({ format, ...EXAMPLE }).pieces);
      assert.deepEqual(tokens.slice(0, 1), [5]); // <repo_name>
      assert.equal(count(tokens, 6), 2); // <file_sep>
      assert.equal(count(tokens, 1), 1); // <fim_prefix>
      assert.equal(count(tokens, 3), 1); // <fim_suffix>
      assert.equal(tokens.at(-1), 2); // <fim_middle>
      assert.equal(model.detokenize(tokens, true), promptToText(renderFimPrompt({ format, ...EXAMPLE }).pieces));
    });

    it("detects Refact as a StarCoder-style model and tokenises its FIM tokens to ids 1, 3 and 2", async () => {
      const { model, info } = await open("refact");
      const format = detectFimFormat(info)!;
      assert.equal(format.id, "starcoder");
      assert.equal(format.familyName, "Refact");
      const tokens = tok.tokenizePrompt(model, renderFimPrompt({ format, ...EXAMPLE }).pieces);
      assert.equal(tokens[0], 1);
      assert.equal(count(tokens, 3), 1);
      assert.equal(tokens.at(-1), 2);
      assert.deepEqual(tok.resolveStopTokens(model, format.stopTokens), [0, 1, 3, 2, 4, 5]);
    });

    for (const name of ["qwen2", "llama-spm", "phi-3", "gpt-2"] as const) {
      it(`detects no FIM support in the ${name} vocabulary`, async () => {
        const { info } = await open(name);
        assert.ok(info.tokens.length > 1000);
        assert.equal(detectFimFormat(info), null);
      });
    }

    it("splits user text inside every guarded special-token text, and only there", () => {
      assert.deepEqual(tok.splitGuarded("a<|x|>b<|x|>", ["<|x|>"]), ["a<", "|x|>b<", "|x|>"]);
      assert.deepEqual(tok.splitGuarded("plain code", ["<|x|>"]), ["plain code"]);
      assert.deepEqual(tok.splitGuarded("\u{1F600}<|x|>", ["\u{1F600}<|x|>"]), ["\u{1F600}", "<|x|>"]);
    });

    it("refuses a special piece the vocabulary does not have as one token", async () => {
      const { model } = await open("gpt-2");
      assert.throws(() => tok.tokenizePrompt(model, [special("<|fim_prefix|>")]), /not a special token/);
    });

    it("adds no SentencePiece space of its own to a text piece, and keeps the one a format writes", async () => {
      const { model } = await open("llama-spm");
      const spaced = tok.tokenizePrompt(model, [text(" def f(")]);
      assert.deepEqual(spaced, model.tokenize("def f(", false)); // SentencePiece encodes "def f(" as "▁def▁f("
      const bare = tok.tokenizePrompt(model, [text("return a")]);
      assert.notEqual(bare[0], model.tokenize("return a", false)[0]);
      assert.equal(model.detokenize(bare, false), "return a");
    });
  });
});
