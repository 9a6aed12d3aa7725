// The recall bench unpacks npm tarballs it fetched: nothing in one may land outside the folder it is unpacked into.
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { extractTarGz, safeRelativePath } from "../../../../bench/context/recall/safe-untar";

interface Entry {
  name: string;
  body?: string;
  type?: string;
  prefix?: string;
}

/** A ustar archive, gzipped, as npm writes them. */
function tarGz(entries: Entry[], corrupt = false): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? "");
    const header = Buffer.alloc(512);
    header.write(e.name, 0, 100, "utf8");
    header.write("0000644\0", 100);
    header.write("0000000\0", 108);
    header.write("0000000\0", 116);
    header.write(body.length.toString(8).padStart(11, "0") + "\0", 124);
    header.write("00000000000\0", 136);
    header.write(e.type ?? "0", 156);
    header.write("ustar\0", 257);
    header.write("00", 263);
    if (e.prefix) header.write(e.prefix, 345, 155, "utf8");
    header.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    if (corrupt) header[0] ^= 1;
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

function pax(path: string): string {
  const record = (len: number): string => `${len} path=${path}\n`;
  let len = record(0).length;
  while (record(len).length !== len) len = record(len).length;
  return record(len);
}

describe("bench: the safe tar extractor", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hearth-untar-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the files below the first path component, under the destination", () => {
    const report = extractTarGz(tarGz([{ name: "package/", type: "5" }, { name: "package/lib/a.js", body: "export const a = 1;\n" }]), join(dir, "out"));
    assert.equal(readFileSync(join(dir, "out", "lib", "a.js"), "utf8"), "export const a = 1;\n");
    assert.deepEqual(report, { files: 1, bytes: 20, skipped: [] });
  });

  it("joins a ustar prefix and honours a pax path", () => {
    extractTarGz(tarGz([{ name: "b.js", prefix: "package/deep", body: "b" }, { name: "PaxHeader", type: "x", body: pax("package/long/name.js") }, { name: "package/short", body: "c" }]), dir);
    assert.equal(readFileSync(join(dir, "deep", "b.js"), "utf8"), "b");
    assert.equal(readFileSync(join(dir, "long", "name.js"), "utf8"), "c");
    assert.equal(existsSync(join(dir, "short")), false);
  });

  it("refuses a path with `..`, an absolute path and a backslash, and says why", () => {
    const report = extractTarGz(tarGz([{ name: "package/../../escaped.js", body: "x" }, { name: "/etc/escaped", body: "x" }, { name: "package\\..\\x", body: "x" }]), join(dir, "out"));
    assert.equal(report.files, 0);
    assert.deepEqual(report.skipped, ["package/../../escaped.js (`..` in the path)", "/etc/escaped (absolute path)", "package\\..\\x (backslash in the name)"]);
    assert.equal(existsSync(join(dir, "escaped.js")), false);
  });

  it("skips links and devices instead of creating them", () => {
    const report = extractTarGz(tarGz([{ name: "package/link", type: "2" }, { name: "package/hard", type: "1" }, { name: "package/dev", type: "3" }]), dir);
    assert.equal(report.skipped.length, 3);
    assert.match(report.skipped[0], /^package\/link \(entry type "2"/);
    assert.equal(existsSync(join(dir, "link")), false);
  });

  it("stops at a header whose checksum is wrong", () => {
    assert.throws(() => extractTarGz(tarGz([{ name: "package/a.js", body: "a" }], true), dir), /bad header checksum/);
  });

  it("stops at an archive with more entries than its limit", () => {
    const entries = Array.from({ length: 5 }, (_, i) => ({ name: `package/f${i}.js`, body: "x" }));
    assert.throws(() => extractTarGz(tarGz(entries), dir, { maxEntries: 3, maxBytes: 1000 }), /more than 3 entries/);
  });

  it("reads a path's parts below the first, and refuses what climbs out", () => {
    assert.equal(safeRelativePath("package/./a//b.js"), join("a", "b.js"));
    assert.deepEqual(safeRelativePath("package/a/../../b"), { refused: "`..` in the path" });
    assert.deepEqual(safeRelativePath("C:/x"), { refused: "absolute path" });
  });
});
