import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ModelScanner, defaultModelRoots, findModelFiles, ollamaModelName, type DiscoveryRoot } from "../../../src/models/discovery";
import { writeFakeModel } from "./fixtures";

const BLOB = "a".repeat(64);
const HF_BLOB = "b".repeat(64);

/** A home folder with each tool's layout, built once for the suite. */
async function buildHome(home: string): Promise<void> {
  // Ollama: a manifest names the model layer's blob; a half-pulled blob sits beside it.
  const ollama = join(home, ".ollama", "models");
  mkdirSync(join(ollama, "manifests", "registry.ollama.ai", "library", "qwen2.5-coder"), { recursive: true });
  writeFileSync(
    join(ollama, "manifests", "registry.ollama.ai", "library", "qwen2.5-coder", "1.5b"),
    JSON.stringify({
      schemaVersion: 2,
      layers: [
        { mediaType: "application/vnd.ollama.image.model", digest: `sha256:${BLOB}`, size: 1 },
        { mediaType: "application/vnd.ollama.image.template", digest: `sha256:${"c".repeat(64)}`, size: 1 },
      ],
    }),
  );
  await writeFakeModel(join(ollama, "blobs", `sha256-${BLOB}`), { name: "Ollama Coder" });
  writeFileSync(join(ollama, "blobs", `sha256-${"d".repeat(64)}-partial`), "GGUF");
  // LM Studio: publisher/repo/file.gguf.
  await writeFakeModel(join(home, ".lmstudio", "models", "lmstudio-community", "Coder-GGUF", "coder-Q4_K_M.gguf"), { name: "LM Studio Coder" });
  // Hugging Face cache: two snapshots link to one blob.
  const repo = join(home, ".cache", "huggingface", "hub", "models--Qwen--Qwen2.5-Coder-1.5B-Instruct-GGUF");
  await writeFakeModel(join(repo, "blobs", HF_BLOB), { name: "HF Coder" });
  for (const rev of ["rev1", "rev2"]) {
    mkdirSync(join(repo, "snapshots", rev), { recursive: true });
    symlinkSync(join("..", "..", "blobs", HF_BLOB), join(repo, "snapshots", rev, "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"));
  }
  // node-llama-cpp's folder: a finished model, a download in progress, a non-GGUF file and a tokenizer-only GGUF.
  const nlc = join(home, ".node-llama-cpp", "models");
  await writeFakeModel(join(nlc, "hf_Qwen_chat.gguf"), { name: "NLC Chat", fim: false });
  await writeFakeModel(join(nlc, "half.gguf.partial"));
  writeFileSync(join(nlc, "readme.txt"), "not a model");
  writeFileSync(join(nlc, "broken.gguf"), "this is not GGUF at all");
  await writeFakeModel(join(nlc, "vocab.gguf"), { tensorElements: 0 });
  // A split model: only its first part is listed, with the parts' total size.
  await writeFakeModel(join(nlc, "big-00001-of-00002.gguf"));
  writeFileSync(join(nlc, "big-00002-of-00002.gguf"), Buffer.alloc(1000));
}

describe("models: discovery", function () {
  this.timeout(30_000);
  let home: string;
  let roots: DiscoveryRoot[];
  before(async () => {
    home = mkdtempSync(join(tmpdir(), "hearth-home-"));
    await buildHome(home);
    roots = defaultModelRoots({ platform: "linux", home, env: {} });
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  it("names the Ollama model from its manifest and finds its blob", async () => {
    const { files } = await findModelFiles(roots);
    const ollama = files.filter((f) => f.source === "ollama");
    assert.equal(ollama.length, 1);
    assert.equal(ollama[0]?.displayName, "qwen2.5-coder:1.5b");
    assert.match(ollama[0]?.path ?? "", new RegExp(`blobs/sha256-${BLOB}$`));
  });

  it("finds an LM Studio model under publisher/repo/", async () => {
    const { files } = await findModelFiles(roots);
    const lm = files.find((f) => f.source === "lm-studio");
    assert.equal(lm?.displayName, "lmstudio-community/Coder-GGUF/coder-Q4_K_M.gguf");
  });

  it("lists a Hugging Face cache file once though two snapshots link to it, named org/repo/file", async () => {
    const { files } = await findModelFiles(roots);
    const hf = files.filter((f) => f.source === "huggingface");
    assert.equal(hf.length, 1);
    assert.equal(hf[0]?.displayName, "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf");
  });

  it("never lists a .partial download or a non-.gguf file", async () => {
    const { files } = await findModelFiles(roots);
    assert.ok(!files.some((f) => /partial|readme/.test(f.path)), files.map((f) => f.path).join("\n"));
  });

  it("lists a split model once, by its first part, with the parts' total size", async () => {
    const { files } = await findModelFiles(roots);
    const split = files.filter((f) => /big-0000/.test(f.path));
    assert.equal(split.length, 1);
    assert.match(split[0]?.path ?? "", /big-00001-of-00002\.gguf$/);
    assert.ok((split[0]?.sizeBytes ?? 0) > 1000);
  });

  it("classifies what it finds: models usable, a non-GGUF and a tokenizer-only file set aside with reasons", async () => {
    const scan = await new ModelScanner().scan(roots);
    const names = scan.models.map((m) => m.facts.name).sort();
    assert.deepEqual(names, ["Fake Coder", "HF Coder", "LM Studio Coder", "NLC Chat", "Ollama Coder"]);
    const reasons = scan.unusable.map((u) => u.reason).join("\n");
    assert.match(reasons, /broken\.gguf is not a GGUF file/);
    assert.match(reasons, /vocab\.gguf holds only a tokenizer/);
    assert.equal(scan.models.find((m) => m.facts.name === "NLC Chat")?.facts.fimFamily, null);
  });

  it("survives a symlink loop", async () => {
    const folder = join(home, "loop");
    mkdirSync(join(folder, "a"), { recursive: true });
    symlinkSync(folder, join(folder, "a", "back"));
    await writeFakeModel(join(folder, "a", "m.gguf"));
    const { files } = await findModelFiles([{ source: "user", path: folder, layout: "files" }]);
    assert.equal(files.length, 1);
  });

  it("stops at the depth limit in a deep tree, says the list is incomplete, and still walks other branches", async () => {
    const folder = join(home, "deep");
    let deep = folder;
    for (let i = 0; i < 12; i++) deep = join(deep, `level${i}`);
    await writeFakeModel(join(deep, "too-deep.gguf"));
    await writeFakeModel(join(folder, "shallow.gguf"));
    const result = await findModelFiles([{ source: "user", path: folder, layout: "files" }], { maxDepth: 6 });
    assert.deepEqual(result.files.map((f) => f.displayName), ["shallow.gguf"]);
    assert.equal(result.truncated, true);
  });

  it("stops after the entry budget in a huge folder", async () => {
    const folder = join(home, "huge");
    mkdirSync(folder);
    for (let i = 0; i < 300; i++) writeFileSync(join(folder, `f${i}.txt`), "");
    const result = await findModelFiles([{ source: "user", path: folder, layout: "files" }], { maxEntries: 50 });
    assert.equal(result.truncated, true);
  });

  it("skips folders that do not exist", async () => {
    const result = await findModelFiles([{ source: "user", path: join(home, "nope"), layout: "files" }]);
    assert.deepEqual(result, { files: [], truncated: false });
  });

  it("knows each tool's folders on Windows and macOS, and honours OLLAMA_MODELS and HF_HOME", () => {
    const win = defaultModelRoots({ platform: "win32", home: "C:\\Users\\u", env: { APPDATA: "C:\\Users\\u\\AppData\\Roaming", LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" } });
    assert.ok(win.some((r) => r.source === "gpt4all" && r.path.includes("nomic.ai")));
    assert.ok(win.some((r) => r.source === "jan" && r.path.includes("Roaming")));
    const mac = defaultModelRoots({ platform: "darwin", home: "/Users/u", env: { OLLAMA_MODELS: "/Volumes/x/ollama", HF_HOME: "/Volumes/x/hf" } });
    assert.ok(mac.some((r) => r.source === "ollama" && r.path === "/Volumes/x/ollama"));
    assert.ok(mac.some((r) => r.source === "huggingface" && r.path === join("/Volumes/x/hf", "hub")));
    assert.ok(mac.some((r) => r.source === "jan" && r.path.includes("Application Support")));
  });

  it("names models from other Ollama registries and namespaces", () => {
    assert.equal(ollamaModelName("registry.ollama.ai/library/llama3/latest"), "llama3:latest");
    assert.equal(ollamaModelName("registry.ollama.ai/someone/coder/q4"), "someone/coder:q4");
    assert.equal(ollamaModelName("hf.co/bartowski/Qwen-GGUF/Q4_K_M"), "hf.co/bartowski/Qwen-GGUF:Q4_K_M");
  });

  it("ignores a hostile Ollama manifest: prototype keys and a digest that leaves the store reach nothing", async () => {
    const store = mkdtempSync(join(tmpdir(), "hearth-ollama-hostile-"));
    try {
      const manifest = join(store, "manifests", "registry.ollama.ai", "library", "evil", "latest");
      mkdirSync(dirname(manifest), { recursive: true });
      writeFileSync(
        manifest,
        `{"__proto__": {"layers": [{"mediaType": "application/vnd.ollama.image.model", "digest": "sha256:${BLOB}"}], "hearthPolluted": 1},` +
          ` "constructor": {"prototype": {"hearthPolluted": 1}},` +
          ` "layers": [{"mediaType": "application/vnd.ollama.image.model", "digest": "sha256:../../../../etc/passwd"}]}`,
      );
      const { files } = await findModelFiles([{ source: "ollama", path: store, layout: "ollama" }]);
      assert.deepEqual(files, []);
      assert.equal(({} as Record<string, unknown>).hearthPolluted, undefined);
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  });

  it("reads each file's metadata once: a second scan reuses it", async () => {
    const scanner = new ModelScanner();
    const first = await scanner.scan(roots);
    const second = await scanner.scan(roots);
    assert.equal(second.models.length, first.models.length);
    assert.ok(second.models.every((m, i) => m.facts === first.models[i]?.facts));
  });
});
