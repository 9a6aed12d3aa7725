import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { downloadModel, partialPathOf, type DownloadRequest } from "../../../src/models/download";
import { DownloadError } from "../../../src/models/download-errors";
import { describeProgress, type DownloadProgress } from "../../../src/models/download-progress";
import { HUGGING_FACE_TRUST } from "../../../src/models/download-origins";
import { ENDLESS_CAP_BYTES, sha256, startModelServer, writeFakeModel, type ModelServer } from "./fixtures";

describe("models: download", function () {
  this.timeout(30_000);
  let dir: string;
  let model: Buffer;
  let server: ModelServer | undefined;
  let n = 0;
  /** A download that trusts the test's server (HTTPS on 127.0.0.1, a self-signed certificate). */
  const fetchModel = (request: DownloadRequest) => downloadModel({ trust: server?.trust ?? HUGGING_FACE_TRUST, ...request });
  /** A fresh destination per test. */
  const target = () => join(dir, `out-${++n}`, "model.gguf");
  const rejected = async (promise: Promise<unknown>): Promise<DownloadError> => {
    const error = await promise.then(
      () => assert.fail("the download should have failed"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof DownloadError, String(error));
    return error;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "hearth-download-"));
    model = readFileSync(await writeFakeModel(join(dir, "source.gguf"), { tensorElements: 64 * 1024 })); // ~256 KB
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("downloads a whole model, verifies it and leaves no partial file", async () => {
    server = await startModelServer({ "/m.gguf": { body: model } });
    const destination = target();
    const result = await fetchModel({ url: server.url("/m.gguf"), destination, sha256: sha256(model) });
    assert.deepEqual(readFileSync(destination), model);
    assert.equal(result.sizeBytes, model.length);
    assert.equal(result.sha256, sha256(model));
    assert.equal(result.resumed, false);
    assert.equal(existsSync(partialPathOf(destination)), false);
    assert.equal(existsSync(`${partialPathOf(destination)}.json`), false);
  });

  it("reports progress with bytes, total, speed and time left, ending at the full size", async () => {
    server = await startModelServer({ "/m.gguf": { body: model } }, { chunkBytes: 16 * 1024, chunkDelayMs: 3 });
    const reports: DownloadProgress[] = [];
    await fetchModel({ url: server.url("/m.gguf"), destination: target(), onProgress: (p) => reports.push(p), progressIntervalMs: 10 });
    const downloading = reports.filter((r) => r.phase === "downloading");
    assert.ok(downloading.length >= 3, `only ${downloading.length} reports`);
    assert.ok(downloading.every((r) => r.totalBytes === model.length));
    assert.ok(downloading.some((r) => r.bytesPerSecond > 0 && r.etaSeconds !== null));
    assert.equal(downloading.at(-1)?.receivedBytes, model.length);
    assert.equal(reports.at(-1)?.phase, "verifying");
  });

  it("resumes after a cancel with a Range request for the bytes it lacks", async () => {
    server = await startModelServer({ "/m.gguf": { body: model } }, { chunkBytes: 8 * 1024, chunkDelayMs: 5 });
    const destination = target();
    const controller = new AbortController();
    const error = await rejected(
      fetchModel({
        url: server.url("/m.gguf"),
        destination,
        signal: controller.signal,
        progressIntervalMs: 0,
        onProgress: (p) => p.receivedBytes >= 64 * 1024 && controller.abort(),
      }),
    );
    assert.equal(error.code, "cancelled");
    assert.equal(existsSync(destination), false);
    const kept = statSync(partialPathOf(destination)).size;
    assert.ok(kept > 0 && kept < model.length, `kept ${kept}`);

    const result = await fetchModel({ url: server.url("/m.gguf"), destination });
    assert.equal(result.resumed, true);
    assert.deepEqual(readFileSync(destination), model);
    const last = server.requests.at(-1);
    assert.equal(last?.range, `bytes=${kept}-`);
    assert.ok(last?.ifRange, "the resume names the file version it continues (If-Range)");
  });

  it("resumes by itself after the server drops the connection mid-file", async () => {
    server = await startModelServer({ "/m.gguf": { body: model } }, { dropAfterBytes: 100_000, dropTimes: 2 });
    const destination = target();
    const result = await fetchModel({ url: server.url("/m.gguf"), destination, retryDelayMs: 10, sha256: sha256(model) });
    assert.deepEqual(readFileSync(destination), model);
    assert.equal(server.requests.length, 3);
    const starts = server.requests.map((r) => Number(/^bytes=(\d+)-$/.exec(r.range ?? "bytes=0-")?.[1]));
    assert.ok(starts[1]! > 0 && starts[2]! > starts[1]!, `ranges ${JSON.stringify(server.requests)}`);
    assert.equal(result.sha256, sha256(model));
  });

  it("gives up after repeated failures without progress and keeps the partial file for later", async () => {
    server = await startModelServer({ "/m.gguf": { body: model } }, { dropAfterBytes: 0, dropTimes: 100 });
    const destination = target();
    const error = await rejected(fetchModel({ url: server.url("/m.gguf"), destination, retries: 2, retryDelayMs: 5 }));
    assert.equal(error.code, "network");
    assert.match(error.message, /keeps failing/);
    assert.equal(existsSync(destination), false);
  });

  it("refuses a truncated model and deletes it", async () => {
    const cut = model.subarray(0, model.length - 5000);
    server = await startModelServer({ "/m.gguf": { body: cut } });
    const destination = target();
    const error = await rejected(fetchModel({ url: server.url("/m.gguf"), destination }));
    assert.equal(error.code, "corrupt");
    assert.match(error.message, /incomplete/);
    assert.equal(existsSync(destination), false);
    assert.equal(existsSync(partialPathOf(destination)), false);
  });

  it("refuses a file that is not a GGUF model (an HTML error page served as 200)", async () => {
    server = await startModelServer({ "/m.gguf": { body: Buffer.from("<html>Please sign in</html>") } });
    const destination = target();
    const error = await rejected(fetchModel({ url: server.url("/m.gguf"), destination }));
    assert.equal(error.code, "corrupt");
    assert.match(error.message, /not a GGUF file/);
    assert.equal(existsSync(destination), false);
  });

  it("refuses a file whose SHA-256 does not match and deletes it", async () => {
    server = await startModelServer({ "/m.gguf": { body: model } });
    const destination = target();
    const error = await rejected(fetchModel({ url: server.url("/m.gguf"), destination, sha256: "0".repeat(64) }));
    assert.equal(error.code, "checksum");
    assert.match(error.message, /SHA-256/);
    assert.equal(existsSync(destination), false);
    assert.equal(existsSync(partialPathOf(destination)), false);
  });

  it("checks the SHA-256 before reading anything in the file", async () => {
    // Not a GGUF and the wrong hash: the checksum, checked first, must be what refuses it (a reader never sees it).
    server = await startModelServer({ "/m.gguf": { body: Buffer.from("<html>not a model</html>") } });
    const destination = target();
    const error = await rejected(fetchModel({ url: server.url("/m.gguf"), destination, sha256: "0".repeat(64) }));
    assert.equal(error.code, "checksum", error.message);
    assert.equal(existsSync(destination), false);
    assert.equal(existsSync(partialPathOf(destination)), false);
  });

  it("refuses a GGUF without tensors (a tokenizer only) and deletes it", async () => {
    const vocabOnly = readFileSync(await writeFakeModel(join(dir, "vocab.gguf"), { tensorElements: 0 }));
    server = await startModelServer({ "/m.gguf": { body: vocabOnly } });
    const destination = target();
    const error = await rejected(fetchModel({ url: server.url("/m.gguf"), destination, sha256: sha256(vocabOnly) }));
    assert.equal(error.code, "corrupt");
    assert.match(error.message, /no tensors/);
    assert.equal(existsSync(destination), false);
    assert.equal(existsSync(partialPathOf(destination)), false);
  });

  it("tells a 404 plainly, with the address", async () => {
    server = await startModelServer({});
    const url = server.url("/missing.gguf");
    const error = await rejected(fetchModel({ url, destination: target() }));
    assert.equal(error.code, "not-found");
    assert.ok(error.message.includes("HTTP 404") && error.message.includes(url), error.message);
  });

  it("refuses a file of the wrong size before downloading it", async () => {
    server = await startModelServer({ "/m.gguf": { body: model } });
    const destination = target();
    const error = await rejected(fetchModel({ url: server.url("/m.gguf"), destination, expectedSizeBytes: model.length + 1 }));
    assert.equal(error.code, "size-mismatch");
    assert.equal(existsSync(destination), false);
  });

  it("refuses up front when the disk has no room, saying how much is needed", async () => {
    server = await startModelServer({ "/m.gguf": { body: model } });
    const error = await rejected(fetchModel({ url: server.url("/m.gguf"), destination: target(), freeSpace: async () => 1000 }));
    assert.equal(error.code, "no-space");
    assert.match(error.message, /needs \d+ kB more, but only 1 kB is free in /);
  });

  it("says so when the download folder cannot be created", async () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "");
    const error = await rejected(fetchModel({ url: "https://huggingface.co/a/b/resolve/main/m.gguf", destination: join(file, "sub", "model.gguf") }));
    assert.equal(error.code, "no-permission");
    assert.match(error.message, /hearth\.models\.downloadFolder|cannot write/);
  });

  it("follows a redirect on the same server", async () => {
    server = await startModelServer({ "/m.gguf": { body: model } }, { redirects: true });
    const destination = target();
    await fetchModel({ url: server.url("/redirect/m.gguf"), destination });
    assert.deepEqual(readFileSync(destination), model);
    assert.deepEqual(server.requests.map((r) => r.path), ["/redirect/m.gguf", "/m.gguf"]);
  });

  it("starts over when the server ignores the Range request", async () => {
    server = await startModelServer({ "/m.gguf": { body: model } }, { ignoreRange: true });
    const destination = target();
    const url = server.url("/m.gguf");
    mkdirSync(dirname(destination), { recursive: true });
    writeFileSync(partialPathOf(destination), Buffer.alloc(50_000, 7)); // bytes that must not survive
    writeFileSync(`${partialPathOf(destination)}.json`, JSON.stringify({ url }));
    const result = await fetchModel({ url, destination });
    assert.equal(server.requests[0]?.range, "bytes=50000-");
    assert.deepEqual(readFileSync(destination), model);
    assert.equal(result.sizeBytes, model.length);
  });

  it("resumes a partial file left by an earlier run of the editor", async () => {
    server = await startModelServer({ "/m.gguf": { body: model } });
    const destination = target();
    const url = server.url("/m.gguf");
    // First run: the connection drops and the process "exits" before retrying.
    server.options.dropAfterBytes = 120_000;
    server.options.dropTimes = 1;
    await rejected(fetchModel({ url, destination, retries: 0, retryDelayMs: 1 }));
    const kept = statSync(partialPathOf(destination)).size;
    assert.ok(kept > 0 && kept <= 120_000, `kept ${kept}`);
    const result = await fetchModel({ url, destination });
    assert.equal(result.resumed, true);
    assert.deepEqual(readFileSync(destination), model);
    assert.equal(server.requests.at(-1)?.range, `bytes=${kept}-`);
  });

  it("stops a server that sends more than the exact size it expected, keeping nothing", async () => {
    // No Content-Length (chunked), then the model followed by bytes without end: the disk must not be what stops it.
    server = await startModelServer({ "/m.gguf": { body: model } }, { endless: true });
    const destination = target();
    const reports: DownloadProgress[] = [];
    const error = await rejected(fetchModel({ url: server.url("/m.gguf"), destination, expectedSizeBytes: model.length, onProgress: (p) => reports.push(p), progressIntervalMs: 0 }));
    assert.equal(error.code, "size-mismatch", error.message);
    assert.match(error.message, new RegExp(`more than the ${model.length} bytes`));
    assert.ok(server.sentBytes() < ENDLESS_CAP_BYTES / 4, `the server sent ${server.sentBytes()} bytes before the download stopped it`);
    assert.ok(Math.max(...reports.map((r) => r.receivedBytes)) <= model.length, "nothing past the expected size was written");
    assert.equal(existsSync(destination), false);
    assert.equal(existsSync(partialPathOf(destination)), false);
  });

  it("stops a download of unknown size at the volume's free space less its reserve, keeping nothing", async () => {
    // Neither a Content-Length nor an expected size: without a bound the disk would be what stops it.
    server = await startModelServer({ "/m.gguf": { body: model } }, { endless: true });
    const destination = target();
    const error = await rejected(fetchModel({ url: server.url("/m.gguf"), destination, freeSpace: async () => 256 * 1024 * 1024 + 1024 * 1024 }));
    assert.equal(error.code, "no-space", error.message);
    assert.match(error.message, /without saying its size, and it grew past the 1(\.0)? MB/);
    assert.ok(server.sentBytes() < ENDLESS_CAP_BYTES / 4, `the server sent ${server.sentBytes()} bytes before the download stopped it`);
    assert.equal(existsSync(destination), false);
    assert.equal(existsSync(partialPathOf(destination)), false);
    assert.equal(existsSync(`${partialPathOf(destination)}.json`), false);
  });

  it("resumes a body without a length that the connection ends short of the expected size", async () => {
    server = await startModelServer({ "/m.gguf": { body: model } }, { closeDelimited: true, dropAfterBytes: 100 * 1024 });
    const destination = target();
    const result = await fetchModel({ url: server.url("/m.gguf"), destination, expectedSizeBytes: model.length, retryDelayMs: 1 });
    assert.equal(result.sizeBytes, model.length);
    assert.deepEqual(readFileSync(destination), model);
    assert.equal(server.requests.length, 2, JSON.stringify(server.requests));
  });

  it("stops a resumed answer that runs past the total its Content-Range announced", async () => {
    server = await startModelServer({ "/m.gguf": { body: model } }, { endless: true });
    const destination = target();
    const url = server.url("/m.gguf");
    mkdirSync(dirname(destination), { recursive: true });
    writeFileSync(partialPathOf(destination), model.subarray(0, 1000));
    writeFileSync(`${partialPathOf(destination)}.json`, JSON.stringify({ url }));
    const error = await rejected(fetchModel({ url, destination }));
    assert.equal(server.requests[0]?.range, "bytes=1000-");
    assert.equal(error.code, "size-mismatch", error.message);
    assert.ok(server.sentBytes() < ENDLESS_CAP_BYTES / 4, `the server sent ${server.sentBytes()} bytes before the download stopped it`);
    assert.equal(existsSync(destination), false);
    assert.equal(existsSync(partialPathOf(destination)), false);
  });
});

describe("models: download progress text", () => {
  it("says how much has arrived, how fast, and how long is left", () => {
    const text = describeProgress({ receivedBytes: 120e6, totalBytes: 1.6e9, bytesPerSecond: 12e6, etaSeconds: 123, resumedFromBytes: 0, phase: "downloading" });
    assert.equal(text, "120 MB of 1.6 GB · 12 MB/s · 2 min left");
  });

  it("says it is verifying once the bytes are in", () => {
    assert.equal(describeProgress({ receivedBytes: 1, totalBytes: 1, bytesPerSecond: 0, etaSeconds: null, resumedFromBytes: 0, phase: "verifying" }), "verifying…");
  });
});
