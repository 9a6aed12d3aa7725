// A corpus from the registry is measured on the pinned bytes or not at all.
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { ensureNpmPackage, integrityOf } from "../../../../bench/context/recall/npm-corpus";
import type { PinnedPackage } from "../../../../bench/context/recall/npm-corpus";

/** A one-file npm tarball: package/index.js. */
function tarball(body: string): Buffer {
  const header = Buffer.alloc(512);
  header.write("package/index.js", 0);
  header.write("0000644\0", 100);
  header.write(Buffer.byteLength(body).toString(8).padStart(11, "0") + "\0", 124);
  header.write("0", 156);
  header.write("ustar\0", 257);
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  const data = Buffer.from(body);
  return gzipSync(Buffer.concat([header, data, Buffer.alloc((512 - (data.length % 512)) % 512), Buffer.alloc(1024)]));
}

describe("bench: pinned npm corpora", () => {
  let cache: string;
  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), "hearth-npm-corpus-"));
  });
  afterEach(() => rmSync(cache, { recursive: true, force: true }));

  it("writes integrity as npm does: sha512- and the base64 digest", () => {
    assert.equal(integrityOf(Buffer.from("abc")), "sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw==");
  });

  it("fetches the pinned tarball once, extracts it and reuses the cache", () => {
    const bytes = tarball("module.exports = 1;\n");
    const pkg: PinnedPackage = { name: "@scope/demo", version: "1.0.0", integrity: integrityOf(bytes) };
    let fetches = 0;
    const fetch = (_: PinnedPackage, to: string): void => {
      fetches++;
      writeFileSync(to, bytes);
    };
    const dir = ensureNpmPackage(pkg, cache, fetch);
    assert.equal(dir, join(cache, "scope-demo-1.0.0"));
    assert.equal(readFileSync(join(dir, "index.js"), "utf8"), "module.exports = 1;\n");
    assert.equal(ensureNpmPackage(pkg, cache, fetch), dir);
    assert.equal(fetches, 1);
  });

  it("refuses a tarball whose digest is not the pinned one, and keeps nothing of it", () => {
    const pkg: PinnedPackage = { name: "demo", version: "1.0.0", integrity: integrityOf(tarball("the pinned bytes")) };
    const fetch = (_: PinnedPackage, to: string): void => writeFileSync(to, tarball("other bytes"));
    assert.throws(() => ensureNpmPackage(pkg, cache, fetch), /demo@1\.0\.0: tarball integrity sha512-\S+ is not the pinned sha512-/);
    assert.equal(existsSync(join(cache, "demo-1.0.0.tgz")), false);
    assert.equal(existsSync(join(cache, "demo-1.0.0")), false);
  });
});
