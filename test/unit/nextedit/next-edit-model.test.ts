// Whether the configured file is a next-edit model, read from its GGUF metadata before anything loads.
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { NEXT_EDIT_OFF_MESSAGE, nextEditModelState } from "../../../src/nextedit/next-edit-model";
import { RENAME, ensureNextEditModel } from "../../fixtures/models/next-edit-models";
import { ensureTestModel } from "../../fixtures/models/test-models";

describe("nextEditModelState", function () {
  this.timeout(60_000);

  it("is off, saying how to turn it on, when no model is configured", async () => {
    assert.deepEqual(await nextEditModelState(""), { kind: "off", message: NEXT_EDIT_OFF_MESSAGE });
    assert.match(NEXT_EDIT_OFF_MESSAGE, /hearth\.nextEdit\.modelPath/);
  });

  it("is ready with Sweep's format for a model named as a Sweep next-edit model", async () => {
    const state = await nextEditModelState(await ensureNextEditModel(RENAME.rewrite));
    assert.equal(state.kind, "ready");
    assert.equal(state.kind === "ready" && state.format.familyName, "Sweep next-edit");
  });

  it("says a completion model is not a next-edit model", async () => {
    const state = await nextEditModelState(await ensureTestModel("scripted"));
    assert.equal(state.kind, "unusable");
    assert.match(state.kind === "unusable" ? state.message : "", /^Hearth scripted test model is not a next-edit model/);
  });

  it("says a missing file cannot be read, naming the setting", async () => {
    const state = await nextEditModelState(join(__dirname, "no-such-model.gguf"));
    assert.equal(state.kind, "unusable");
    assert.match(state.kind === "unusable" ? state.message : "", /hearth\.nextEdit\.modelPath.*cannot be read/);
  });
});
