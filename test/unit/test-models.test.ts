// The project's generated test models, loaded through the real node-llama-cpp (CPU, one thread).
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as NodeLlamaCppModule from "node-llama-cpp" with { "resolution-mode": "import" };
import type { Llama, LlamaContext, LlamaModel } from "node-llama-cpp" with { "resolution-mode": "import" };
import { readGgufFile } from "../fixtures/models/gguf-reader";
import { GgmlType, arr, bool, f32, f32ToF16Bits, quantizeQ8_0, str, u32, u64, writeGgufFile } from "../fixtures/models/gguf-writer";
import { DEFAULT_SCRIPT, ensureTestModel, extractBundledVocab, planScript, testModelsDir } from "../fixtures/models/test-models";
import type { ModelScript } from "../fixtures/models/test-models";
import { cpuMsOf } from "./helpers/cpu-time";

type NodeLlamaCpp = typeof NodeLlamaCppModule;

const TINY_SHA256 = "2816deb1e8042f5463900af69cc2ce9a4aaee05be55a2c33a226c0dea757fe96";
const FIM_PREFIX = "interface Todo {\n  done: boolean;\n}\n\nexport function countDone(items: Todo[]): number {\n  ";
const FIM_SUFFIX = "\n}\n";

describe("test models", function () {
  this.timeout(60_000);

  let nlc: NodeLlamaCpp;
  let llama: Llama;
  let tmp: string;
  const models: LlamaModel[] = [];

  before(async function () {
    this.timeout(120_000);
    nlc = await import("node-llama-cpp");
    llama = await nlc.getLlama({
      gpu: false,
      build: "never",
      maxThreads: 1,
      logLevel: nlc.LlamaLogLevel.error,
      // node-llama-cpp's load-time memory simulation ignores vocabOnly, so a vocab-only file (no tensors) logs a failed
      // simulated load before it loads fine; drop exactly those lines.
      logger: (level, message) => {
        if (!/missing tensor 'token_embd\.weight'|llama_model_load_from_file_impl: failed to load model/.test(message)) {
          process.stderr.write(`[node-llama-cpp ${level}] ${message}\n`);
        }
      },
    });
    tmp = await mkdtemp(join(tmpdir(), "hearth-test-models-"));
  });

  after(async function () {
    this.timeout(30_000);
    for (const model of models) await model.dispose();
    await llama?.dispose();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  async function load(path: string, vocabOnly = false): Promise<LlamaModel> {
    const model = await llama.loadModel({ modelPath: path, gpuLayers: 0, vocabOnly });
    models.push(model);
    return model;
  }

  async function withContext<T>(model: LlamaModel, use: (context: LlamaContext) => Promise<T>): Promise<T> {
    const context = await model.createContext({ contextSize: 1024, threads: 1, sequences: 1 });
    try {
      return await use(context);
    } finally {
      await context.dispose();
    }
  }

  async function infill(model: LlamaModel): Promise<string> {
    return withContext(model, async (context) => {
      const completion = new nlc.LlamaCompletion({ contextSequence: context.getSequence() });
      try {
        return await completion.generateInfillCompletion(FIM_PREFIX, FIM_SUFFIX, { maxTokens: 200 });
      } finally {
        completion.dispose();
      }
    });
  }

  // resolveChatWrapper renders the Jinja template against many wrappers (~0.4 s each time here), and a session created
  // without a chatWrapper does the same: resolve once per model.
  const wrappers = new WeakMap<LlamaModel, ReturnType<NodeLlamaCpp["resolveChatWrapper"]>>();
  function chatWrapper(model: LlamaModel): NonNullable<ReturnType<NodeLlamaCpp["resolveChatWrapper"]>> {
    if (!wrappers.has(model)) wrappers.set(model, nlc.resolveChatWrapper(model));
    const wrapper = wrappers.get(model);
    assert.ok(wrapper, "no chat wrapper resolved");
    return wrapper;
  }

  async function chat(model: LlamaModel, prompt: string): Promise<string> {
    return withContext(model, async (context) => {
      const session = new nlc.LlamaChatSession({ contextSequence: context.getSequence(), chatWrapper: chatWrapper(model) });
      try {
        return await session.prompt(prompt, { maxTokens: 300 });
      } finally {
        session.dispose();
      }
    });
  }

  const sha256 = async (path: string) => createHash("sha256").update(await readFile(path)).digest("hex");

  describe("tiny", function () {
    it("is byte-identical when written twice", async function () {
      this.timeout(20_000);
      const a = await ensureTestModel("tiny", { dir: join(tmp, "a") });
      const b = await ensureTestModel("tiny", { dir: join(tmp, "b") });
      assert.notEqual(a, b);
      assert.equal(await sha256(a), await sha256(b));
      // A change here means the generator's output changed: bump MODEL_WRITER_VERSION (so stale cached files are not
      // reused) and update this hash.
      assert.equal(await sha256(a), TINY_SHA256);
    });

    it("loads in under a second and supports infill", async function () {
      this.timeout(20_000);
      const path = await ensureTestModel("tiny");
      // CPU time, not the wall clock (a loaded machine); llama.cpp's threads are this process's.
      let model!: LlamaModel;
      const elapsed = await cpuMsOf(async () => (model = await load(path)));
      assert.ok(elapsed < 1000, `loading took ${elapsed.toFixed(0)} ms of CPU`);
      await withContext(model, async (context) => {
        const completion = new nlc.LlamaCompletion({ contextSequence: context.getSequence() });
        assert.equal(completion.infillSupported, true);
        completion.dispose();
      });
    });

    it("generates until maxTokens because its special tokens can never win", async function () {
      this.timeout(20_000);
      const model = await load(await ensureTestModel("tiny"));
      const tokens = await withContext(model, async (context) => {
        const completion = new nlc.LlamaCompletion({ contextSequence: context.getSequence() });
        try {
          const { metadata } = await completion.generateInfillCompletionWithMeta(FIM_PREFIX, FIM_SUFFIX, { maxTokens: 24 });
          return metadata.stopReason;
        } finally {
          completion.dispose();
        }
      });
      assert.equal(tokens, "maxTokens");
    });
  });

  describe("scripted", function () {
    it("writes exactly DEFAULT_SCRIPT.fim as its infill completion", async function () {
      this.timeout(30_000);
      const model = await load(await ensureTestModel("scripted"));
      assert.equal(await infill(model), DEFAULT_SCRIPT.fim);
    });

    it("answers a chat prompt with exactly DEFAULT_SCRIPT.chat", async function () {
      this.timeout(30_000);
      const model = await load(await ensureTestModel("scripted"));
      assert.equal(chatWrapper(model).wrapperName, "ChatML");
      assert.equal(await chat(model, "Write a TypeScript function that adds two numbers."), DEFAULT_SCRIPT.chat);
    });

    it("keeps to its chat script on a second turn and under temperature sampling", async function () {
      this.timeout(30_000);
      const model = await load(await ensureTestModel("scripted"));
      const answers = await withContext(model, async (context) => {
        const session = new nlc.LlamaChatSession({ contextSequence: context.getSequence(), chatWrapper: chatWrapper(model) });
        try {
          const first = await session.prompt("Hello", { maxTokens: 300, temperature: 0.8, seed: 7 });
          const second = await session.prompt("And again?", { maxTokens: 300, temperature: 1, topK: 0, topP: 1 });
          return [first, second];
        } finally {
          session.dispose();
        }
      });
      assert.deepEqual(answers, [DEFAULT_SCRIPT.chat, DEFAULT_SCRIPT.chat]);
    });

    it("follows a custom script for both infill and chat", async function () {
      this.timeout(30_000);
      const script: ModelScript = {
        fim: "for (const item of items) {\n    if (item.done) count++;\n  }\n  return count;",
        chat: "Sure:\n\n```py\nprint(\"hi\")\nprint(\"hi\")\n```\n\nDone. Done. Done.",
      };
      const path = await ensureTestModel("scripted", { script });
      assert.notEqual(path, await ensureTestModel("scripted"));
      const model = await load(path);
      assert.equal(await infill(model), script.fim);
      assert.equal(await chat(model, "Say hi twice."), script.chat);
    });

    it("refuses a script in which one token would need two successors, naming the token", async function () {
      this.timeout(5_000);
      // A FIM script that is a bare "\n" would have to end the completion, but "\n" must start the chat answer.
      await assert.rejects(() => ensureTestModel("scripted", { script: { fim: "\n", chat: "OK." } }), /token "\\n" would need two successors/);
      assert.throws(() => planScript({ fim: "same", chat: "same" }), /token "same" would need two successors/);
    });
  });

  describe("qwen-vocab", function () {
    let qwen: LlamaModel;

    before(async function () {
      this.timeout(120_000); // node-llama-cpp parses 151,936 tokens in JS, then llama.cpp loads them twice (~3 s idle)
      qwen = await load(await ensureTestModel("qwen-vocab"), true);
    });

    it("tokenises <|fim_prefix|> to Qwen2.5's id 151659", function () {
      this.timeout(5_000);
      assert.deepEqual([...qwen.tokenize("<|fim_prefix|>", true)], [151659]);
      assert.deepEqual([qwen.tokens.infill.prefix, qwen.tokens.infill.suffix, qwen.tokens.infill.middle], [151659, 151661, 151660]);
    });

    it("tokenises plain code exactly like llama.cpp's bundled qwen2 vocabulary", async function () {
      this.timeout(120_000);
      const code = "export async function load(path: string): Promise<string[]> {\n\treturn (await readFile(path, \"utf8\")).split(/\\r?\\n/); // ünïcode ✓\n}\n";
      const reference = await load(await extractBundledVocab("qwen2"), true);
      const tokens = [...qwen.tokenize(code)];
      assert.ok(tokens.length > 20);
      assert.deepEqual(tokens, [...reference.tokenize(code)]);
    });
  });

  describe("bench-0.5b", function () {
    it("has Qwen2.5-Coder-0.5B's shape, Q8_0 matrices and the real FIM token ids", async function () {
      this.timeout(180_000); // ~2 s to write 500 MB on an idle machine; cached in .models afterwards
      const info = await nlc.readGgufFileInfo(await ensureTestModel("bench-0.5b"));
      const md = info.metadata as unknown as {
        general: { architecture: string; file_type: number };
        qwen2: Record<string, unknown>;
        tokenizer: { ggml: { tokens: string[]; fim_pre_token_id: number; fim_mid_token_id: number; fim_suf_token_id: number } };
      };
      assert.equal(md.general.architecture, "qwen2");
      assert.equal(md.general.file_type, 7);
      assert.deepEqual(
        { ...md.qwen2, attention: undefined, rope: undefined },
        { vocab_size: 151936, context_length: 32768, embedding_length: 896, block_count: 24, feed_forward_length: 4864, attention: undefined, rope: undefined },
      );
      assert.deepEqual(md.qwen2.attention, { head_count: 14, head_count_kv: 2, layer_norm_rms_epsilon: Math.fround(1e-6) });
      assert.equal((md.qwen2.rope as { freq_base: number }).freq_base, 1_000_000);
      assert.equal(md.tokenizer.ggml.tokens.length, 151936);
      assert.deepEqual([md.tokenizer.ggml.fim_pre_token_id, md.tokenizer.ggml.fim_mid_token_id, md.tokenizer.ggml.fim_suf_token_id], [151659, 151660, 151661]);
      const tensors = new Map((info.tensorInfo ?? []).map((t) => [t.name, t]));
      assert.equal(tensors.has("output.weight"), false, "embeddings are tied");
      assert.equal(tensors.get("token_embd.weight")?.ggmlType, GgmlType.Q8_0);
      assert.equal(tensors.get("blk.23.ffn_down.weight")?.ggmlType, GgmlType.Q8_0);
      assert.deepEqual(tensors.get("blk.0.attn_k.bias")?.dimensions, [128]);
      assert.equal(tensors.get("blk.0.attn_norm.weight")?.ggmlType, GgmlType.F32);
    });
  });

  describe("gguf writer", function () {
    it("round-trips typed metadata, arrays and aligned tensor infos through its reader and node-llama-cpp's", async function () {
      this.timeout(10_000);
      const path = join(tmp, "roundtrip.gguf");
      const values = Float32Array.from({ length: 64 }, (_, i) => (i - 32) / 8);
      await writeGgufFile(path, {
        metadata: [
          ["general.architecture", str("llama")],
          ["test.u32", u32(7)],
          ["test.u64", u64(2n ** 40n)],
          ["test.f32", f32(0.5)],
          ["test.bool", bool(true)],
          ["test.unicode", str("ünïcode ✓")],
          ["test.strings", arr("string", ["a", "Ġb", ""])],
          ["test.i32s", arr("i32", [-1, 0, 3])],
        ],
        tensors: [
          { name: "odd", dims: [3], type: GgmlType.F32, data: Float32Array.of(1, 2, 3) },
          { name: "q", dims: [32, 2], type: GgmlType.Q8_0, data: values },
          { name: "ones", dims: [5], type: GgmlType.F32, data: { fill: 1 } },
        ],
      });
      const ours = await readGgufFile(path);
      assert.equal(ours.version, 3);
      assert.deepEqual(ours.metadata.get("test.u64"), { type: "u64", value: 2 ** 40 });
      assert.deepEqual(ours.metadata.get("test.strings"), { type: "array", itemType: "string", values: ["a", "Ġb", ""] });
      assert.deepEqual(ours.metadata.get("test.i32s"), { type: "array", itemType: "i32", values: [-1, 0, 3] });
      assert.deepEqual(ours.tensors.map((t) => [t.name, t.offset]), [["odd", 0], ["q", 32], ["ones", 128]]);
      assert.equal(ours.dataOffset % 32, 0);
      const bytes = await readFile(path);
      assert.equal(bytes.length, ours.dataOffset + 128 + 20);
      assert.deepEqual([...new Float32Array(bytes.buffer.slice(bytes.byteOffset + ours.dataOffset, bytes.byteOffset + ours.dataOffset + 12))], [1, 2, 3]);
      const theirs = await nlc.readGgufFileInfo(path);
      const test = (theirs.metadata as unknown as { test: Record<string, unknown> }).test;
      assert.deepEqual({ ...test }, { u32: 7, u64: 2n ** 40n, f32: 0.5, bool: true, unicode: "ünïcode ✓", strings: ["a", "Ġb", ""], i32s: [-1, 0, 3] });
    });

    it("encodes Q8_0 blocks as ggml does: an f16 scale of amax/127, then rounded int8 values", function () {
      this.timeout(2_000);
      assert.deepEqual([1, 0.5, -2, 65504, 1e-8, 0.1].map(f32ToF16Bits), [0x3c00, 0x3800, 0xc000, 0x7bff, 0, 0x2e66]);
      const values = Float32Array.from({ length: 32 }, (_, i) => (i - 16) / 4); // amax 4
      const block = quantizeQ8_0(values);
      assert.equal(block.length, 34);
      assert.equal(block[0] | (block[1] << 8), f32ToF16Bits(4 / 127));
      const q = new Int8Array(block.buffer, 2, 32);
      assert.equal(q[0], -127);
      assert.equal(q[16], 0);
      assert.equal(q[31], Math.round((15 / 4) * (127 / 4)));
    });
  });

  describe("cache", function () {
    it("reuses an existing file without rewriting it", async function () {
      this.timeout(20_000);
      const first = await ensureTestModel("tiny", { dir: join(tmp, "cache") });
      const before = await stat(first);
      await new Promise((r) => setTimeout(r, 20));
      const second = await ensureTestModel("tiny", { dir: join(tmp, "cache") });
      assert.equal(second, first);
      assert.equal((await stat(second)).mtimeMs, before.mtimeMs);
    });

    it("keeps models under <repo>/.models by default", async function () {
      this.timeout(20_000);
      assert.ok((await ensureTestModel("tiny")).startsWith(testModelsDir() + "/"));
      assert.match(testModelsDir(), /[/\\]\.models$/);
    });
  });
});
