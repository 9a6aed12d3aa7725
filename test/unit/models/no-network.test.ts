// Discovery and the picker's data must never open a connection: only a download the user confirmed may.
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCatalog } from "../../../src/models/catalog";
import { ModelScanner, defaultModelRoots } from "../../../src/models/discovery";
import { downloadModel } from "../../../src/models/download";
import { buildPickerData } from "../../../src/models/picker-data";
import { writeFakeModel } from "./fixtures";

describe("models: no network without a confirmed download", function () {
  this.timeout(30_000);
  const original = net.Socket.prototype.connect;
  const attempts: string[] = [];
  let home: string;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), "hearth-nonet-"));
    await writeFakeModel(join(home, ".lmstudio", "models", "a", "b", "m.gguf"));
    await writeFakeModel(join(home, ".cache", "huggingface", "hub", "models--a--b", "snapshots", "r", "n.gguf"));
    net.Socket.prototype.connect = function trapped(this: net.Socket, ...args: unknown[]) {
      attempts.push(JSON.stringify(args[0]));
      throw new Error("network trapped: a socket was opened");
    } as typeof original;
  });
  after(() => {
    net.Socket.prototype.connect = original;
    rmSync(home, { recursive: true, force: true });
  });

  it("discovery and the picker's data open no socket", async () => {
    attempts.length = 0;
    const scan = await new ModelScanner().scan(defaultModelRoots({ platform: "linux", home, env: {} }));
    const data = buildPickerData({
      scan,
      catalog: loadCatalog().models,
      machine: { freeRamBytes: 8e9, totalRamBytes: 16e9 },
      contextSize: 4096,
      currentPath: "",
    });
    assert.equal(data.found.length, 2);
    assert.ok(data.catalog.length > 5);
    assert.deepEqual(attempts, []);
  });

  it("the trap does catch a download (so the test above proves something)", async () => {
    attempts.length = 0;
    const url = "https://huggingface.co/a/b/resolve/0123456789abcdef0123456789abcdef01234567/m.gguf";
    await assert.rejects(downloadModel({ url, destination: join(home, "dl", "m.gguf"), retries: 0, retryDelayMs: 1 }));
    assert.equal(attempts.length, 1);
  });
});
