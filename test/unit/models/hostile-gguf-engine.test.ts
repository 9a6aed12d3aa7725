// Issue 12, defect 1: a crafted GGUF in a folder the model picker scans must not run code. The attack: a metadata key
// `__proto__.NODE_OPTIONS` that a naive reader turns into Object.prototype.NODE_OPTIONS in the extension host; the next
// engine start passes it to the child as an environment variable and its `--import=data:…` payload runs. This test
// runs the real scan over the real folder layout, then starts the real engine, and checks that nothing ran.
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ModelScanner, defaultModelRoots } from "../../../src/models/discovery";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { POLLUTION_KEYS, prototypeSnapshot, restorePrototypes, writePollutingGguf } from "../../fixtures/models/hostile-ggufs";
import { clientsDisposedAfterEach, testSettings } from "../helpers/engine";

describe("models: a hostile GGUF in a scanned folder", function () {
  this.timeout(60_000);
  const open = clientsDisposedAfterEach();
  let home: string;
  let marker: string;
  let hostile: string;
  const before = prototypeSnapshot();

  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), "hearth-hostile-"));
    marker = join(home, "payload-ran");
    hostile = join(home, ".lmstudio", "models", "evil", "coder", "coder-q8_0.gguf");
    await writePollutingGguf(hostile, marker);
  });
  afterEach(() => {
    // Whatever happened, the rest of the suite must run with clean prototypes (a failure here must not spread).
    restorePrototypes(before);
    rmSync(home, { recursive: true, force: true });
  });

  it("is refused by the scan with a clear reason and leaves Object.prototype untouched", async () => {
    const scan = await new ModelScanner().scan(defaultModelRoots({ platform: "linux", home, env: {} }));
    assert.deepEqual(prototypeSnapshot(), before, "the scan changed a built-in prototype");
    assert.equal(scan.models.length, 0);
    const skipped = scan.unusable.find((file) => file.path === hostile);
    assert.ok(skipped, `the hostile file is listed as unusable: ${JSON.stringify(scan.unusable)}`);
    assert.match(skipped.reason, /__proto__/);
  });

  it("runs no code when the engine starts after the scan", async () => {
    await new ModelScanner().scan(defaultModelRoots({ platform: "linux", home, env: {} }));
    const polluted = POLLUTION_KEYS.filter((key) => key in {});
    const client = open();
    await client.configure(testSettings(await ensureTestModel("tiny")));
    await client.load();
    assert.equal(client.status.kind, "ready");
    assert.equal(existsSync(marker), false, "the payload in the GGUF's metadata ran in the engine process");
    assert.deepEqual(polluted, [], "the scan put keys on Object.prototype");
  });
});
