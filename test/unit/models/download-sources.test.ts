// Issue 12, defect 7: a download connects only to Hugging Face and its download servers, over HTTPS, and follows a
// redirect only within them. Real local servers on 127.0.0.1 play the hub, its CDN, another site and a plain-HTTP
// host; the tests count the requests each one saw, so "refused" means "never connected".
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { downloadModel, partialPathOf } from "../../../src/models/download";
import { DownloadError } from "../../../src/models/download-errors";
import { HUGGING_FACE_TRUST, checkDownloadUrl, type DownloadTrust } from "../../../src/models/download-origins";
import { startModelServer, writeFakeModel, type ModelServer } from "./fixtures";
import { TEST_TLS_CERT } from "../../fixtures/models/test-tls";

describe("models: where a download may connect", function () {
  this.timeout(30_000);
  let dir: string;
  let model: Buffer;
  const servers: ModelServer[] = [];
  let n = 0;
  const target = () => join(dir, `out-${++n}`, "model.gguf");
  const start = async (...args: Parameters<typeof startModelServer>) => {
    const server = await startModelServer(...args);
    servers.push(server);
    return server;
  };
  const trusting = (...trusted: ModelServer[]): DownloadTrust => ({ hosts: trusted.map((s) => new URL(s.origin).host), ca: TEST_TLS_CERT });
  const refusal = async (promise: Promise<unknown>): Promise<DownloadError> => {
    const error = await promise.then(
      () => assert.fail("the download should have been refused"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof DownloadError, String(error));
    assert.equal(error.code, "untrusted-source", error.message);
    return error;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "hearth-download-sources-"));
    model = readFileSync(await writeFakeModel(join(dir, "source.gguf")));
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("follows a redirect from the hub to its CDN", async () => {
    const cdn = await start({ "/m.gguf": { body: model } });
    const hub = await start({}, { redirects: true, redirectTo: cdn.origin });
    const destination = target();
    await downloadModel({ url: hub.url("/redirect/m.gguf"), destination, trust: trusting(hub, cdn) });
    assert.deepEqual(readFileSync(destination), model);
    assert.deepEqual(cdn.requests.map((r) => r.path), ["/m.gguf"]);
  });

  it("refuses a redirect to another site and never connects to it", async () => {
    const elsewhere = await start({ "/m.gguf": { body: model } });
    const hub = await start({}, { redirects: true, redirectTo: elsewhere.origin });
    const destination = target();
    const error = await refusal(downloadModel({ url: hub.url("/redirect/m.gguf"), destination, trust: trusting(hub) }));
    assert.match(error.message, new RegExp(`${elsewhere.origin.replace(/\./g, "\\.")} is not Hugging Face`));
    assert.equal(elsewhere.requests.length, 0);
    assert.equal(existsSync(destination), false);
    assert.equal(existsSync(partialPathOf(destination)), false);
  });

  it("refuses a redirect to plain http:, even to a host it trusts", async () => {
    const plain = await start({ "/m.gguf": { body: model } }, { plainHttp: true });
    const hub = await start({}, { redirects: true, redirectTo: plain.origin });
    const error = await refusal(downloadModel({ url: hub.url("/redirect/m.gguf"), destination: target(), trust: trusting(hub, plain) }));
    assert.match(error.message, /is not HTTPS/);
    assert.equal(plain.requests.length, 0);
  });

  it("refuses an http: address before connecting", async () => {
    const plain = await start({ "/m.gguf": { body: model } }, { plainHttp: true });
    const error = await refusal(downloadModel({ url: plain.url("/m.gguf"), destination: target(), trust: trusting(plain) }));
    assert.match(error.message, /is not HTTPS/);
    assert.equal(plain.requests.length, 0);
  });

  it("trusts only Hugging Face when no trust is given, so a local server is refused before connecting", async () => {
    const local = await start({ "/m.gguf": { body: model } });
    await refusal(downloadModel({ url: local.url("/m.gguf"), destination: target() }));
    assert.equal(local.requests.length, 0);
  });

  it("accepts Hugging Face's hub and download servers over HTTPS", () => {
    for (const url of [
      "https://huggingface.co/Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/resolve/ebb2015119c907b064c512bf053e945850b5875f/m.gguf",
      "https://cdn-lfs.hf.co/repos/aa/bb/cc?X-Amz-Signature=x",
      "https://cdn-lfs-us-1.hf.co/repos/aa/bb/cc",
      "https://cdn-lfs-eu-1.hf.co/repos/aa/bb/cc",
      "https://cdn-lfs.huggingface.co/repos/aa/bb/cc",
      "https://cdn-lfs-us-1.huggingface.co/repos/aa/bb/cc",
      "https://cas-bridge.xethub.hf.co/xet-bridge-us/aa/bb?X-Amz-Signature=x",
      "https://us.aws.cdn.hf.co/xet-bridge-us/aa/bb?X-Amz-Signature=x",
    ]) {
      const verdict = checkDownloadUrl(url, HUGGING_FACE_TRUST);
      assert.ok(verdict.ok, `${url}: ${verdict.ok ? "" : verdict.reason}`);
    }
  });

  it("refuses look-alike hosts, other ports, credentials and plain http:", () => {
    for (const url of [
      "http://huggingface.co/a/b/resolve/main/m.gguf",
      "https://huggingface.co.evil.example/a/b/resolve/main/m.gguf",
      "https://evilhuggingface.co/m.gguf",
      "https://huggingface.co:8443/m.gguf",
      "https://user:secret@huggingface.co/m.gguf",
      "https://hf.co.evil.example/m.gguf",
      "https://cdn.hf.co.attacker.invalid/m.gguf",
      "https://evil.example/cdn.hf.co/m.gguf",
      "https://127.0.0.1/m.gguf",
      "file:///etc/passwd",
      "not a url",
    ]) {
      assert.equal(checkDownloadUrl(url, HUGGING_FACE_TRUST).ok, false, url);
    }
  });

  it("cannot be widened at run time: the production list is frozen", () => {
    assert.ok(Object.isFrozen(HUGGING_FACE_TRUST) && Object.isFrozen(HUGGING_FACE_TRUST.hosts));
    assert.throws(() => (HUGGING_FACE_TRUST.hosts as string[]).push("evil.example"));
  });
});
