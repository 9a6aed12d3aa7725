// FIM prompts on real tokenizers (node-llama-cpp's bundled vocab-only GGUFs, loaded with vocabOnly, one thread):
// detection from each file's metadata, and the worker's tokenisation of the rendered pieces.
import { strict as assert } from "node:assert";
import type { Llama, LlamaModel } from "node-llama-cpp" with { "resolution-mode": "import" };
import { detectFimFormat, vocabInfoFromGgufMetadata } from "../../../../src/fim/detect";
import { deepseekFormat, qwenFormat, starcoderFormat } from "../../../../src/fim/formats";
import { PSM_WINDOW, promptToText, renderFimPrompt } from "../../../../src/fim/layout";
import type { ModelVocabInfo, PromptPiece } from "../../../../src/fim/types";
import { ensureTestModel, extractBundledVocab } from "../../../fixtures/models/test-models";
import { EXAMPLE, special, text } from "../../fim/example";

type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });
type PromptTokens = typeof import("../../../../src/engine/worker/prompt-tokens.mjs", { with: { "resolution-mode": "import" } });

describe("FIM prompt tokens on real tokenizers", function () {
  this.timeout(120_000);

  let nlc: NodeLlamaCpp;
  let tok: PromptTokens;
  let llama: Llama;
  const loaded = new Map<string, Promise<{ model: LlamaModel; info: ModelVocabInfo }>>();

  before(async function () {
    nlc = await import("node-llama-cpp");
    tok = await import("../../../../src/engine/worker/prompt-tokens.mjs");
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

  it("re-evaluates only the cursor line's end and the suffix when the user types one more character", async () => {
    const { model } = await open("qwen-vocab");
    const document = Array.from({ length: 120 }, (_, i) => `  const value${i} = compute(${i}, "item ${i}");\n`);
    const render = (typed: string) => renderFimPrompt({ format: qwenFormat(), ...EXAMPLE, prefix: document.slice(0, 100).join("") + typed, suffix: document.slice(100).join("") });
    const before = tokenize(model, render("  const total = val").pieces);
    const rendered = render("  const total = valu");
    const after = tokenize(model, rendered.pieces);
    let common = 0;
    while (common < before.length && before[common] === after[common]) common++;
    const suffixTokens = model.tokenize(rendered.suffix, false).length;
    const cursorLineTokens = model.tokenize("  const total = valu", false).length;
    const reevaluated = after.length - common;
    assert.ok(suffixTokens > 0 && rendered.suffix.split("\n").length - 1 <= PSM_WINDOW.maxSuffixLines + 1);
    assert.ok(reevaluated <= cursorLineTokens + suffixTokens + 2, `re-evaluated ${reevaluated} of ${after.length}`);
    assert.ok(common >= after.length - reevaluated && common > model.tokenize(rendered.prefix, false).length - cursorLineTokens, `kept ${common} of ${after.length}`);
  });

  it("keeps StarCoder's 64-line suffix in the KV cache while the user types: it goes first, so only the cursor line's end is evaluated again", async () => {
    // The bundled vocabulary is StarCoder2's, whose <fim_*> tokens StarCoder(1) shares.
    const { model } = await open("starcoder");
    const format = starcoderFormat();
    assert.equal(format.order, "spm");
    const document = Array.from({ length: 200 }, (_, i) => `  const value${i} = compute(${i}, "item ${i}");\n`);
    const render = (typed: string) => renderFimPrompt({ format, prefix: document.slice(0, 100).join("") + typed, suffix: document.slice(100).join("") });
    const before = tokenize(model, render("  const total = val").pieces);
    const rendered = render("  const total = valu");
    const after = tokenize(model, rendered.pieces);
    let common = 0;
    while (common < before.length && before[common] === after[common]) common++;
    assert.equal(rendered.suffix.split("\n").length - 1, 65);
    const reevaluated = after.length - common;
    assert.ok(reevaluated <= model.tokenize("  const total = valu", false).length + 2, `re-evaluated ${reevaluated} of ${after.length}`);
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

  it("tokenises a prompt through the piece cache to the tokens it gets afresh, before and after a typed character", async () => {
    const { model } = await open("qwen-vocab");
    const cache = new tok.PieceTokenCache(model);
    const before = renderFimPrompt({ format: qwenFormat(), ...EXAMPLE });
    const typed = renderFimPrompt({ format: qwenFormat(), ...EXAMPLE, prefix: `${EXAMPLE.prefix}3` });
    const fresh = (prompt: typeof before) => tok.tokenizePrompt(model, prompt.pieces, { guard: prompt.specialTokens });
    const cached = (prompt: typeof before) => tok.tokenizePrompt(model, prompt.pieces, { guard: prompt.specialTokens, cache });
    assert.deepEqual(cached(before), fresh(before));
    assert.deepEqual(cached(before), fresh(before)); // the second time from the cache
    assert.notDeepEqual(fresh(typed), fresh(before));
    assert.deepEqual(cached(typed), fresh(typed));
  });

  it("splits a kept piece again when the guard changes", async () => {
    const { model } = await open("qwen-vocab");
    const cache = new tok.PieceTokenCache(model);
    // Any guarded text splits the piece; a word does it visibly ("f" + "unction" are other tokens than "function").
    const code = "return function () {}\n";
    const split = tok.tokenizePrompt(model, [text(code)], { guard: ["function"] });
    const whole = model.tokenize(code, false, "trimLeadingSpace");
    assert.notDeepEqual(split, whole); // the guard changes the tokens, so a stale entry would show
    assert.deepEqual([...cache.text(code, [])], whole);
    assert.deepEqual([...cache.text(code, ["function"])], split);
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
