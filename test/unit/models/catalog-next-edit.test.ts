// The catalog's next-edit role: which entries may carry it and what the schema refuses.
import { strict as assert } from "node:assert";
import { describeSource, loadCatalog, resolveHfSource, validateCatalog, type CatalogModel } from "../../../src/models/catalog";

const nextEditModels = () => loadCatalog().models.filter((m) => m.roles.includes("next-edit"));

function catalogWith(entry: Partial<CatalogModel>): unknown {
  return { version: 1, about: "", models: [...loadCatalog().models.filter((m) => !m.roles.includes("next-edit")), entry] };
}

describe("models: the catalog's next-edit models", () => {
  it("offers Sweep's 1.5B next-edit model pinned to its commit, exact size and SHA-256", () => {
    const sweep = nextEditModels().find((m) => m.id === "sweep-next-edit-1.5b-q8_0");
    assert.ok(sweep);
    assert.equal(sweep.source, "hf:sweepai/sweep-next-edit-1.5B/sweep-next-edit-1.5b.q8_0.v2.gguf#409016591c6c1a94f545f22328a85a3516118f34");
    assert.equal(sweep.sizeBytes, 1_537_269_856);
    assert.equal(sweep.sha256, "1321ea5e5d7529e60f9770c6a0b3a965f89542d16cf4ae51bab267f6a88150da");
    assert.equal(
      resolveHfSource(sweep.source),
      "https://huggingface.co/sweepai/sweep-next-edit-1.5B/resolve/409016591c6c1a94f545f22328a85a3516118f34/sweep-next-edit-1.5b.q8_0.v2.gguf",
    );
    assert.equal(describeSource(sweep.source), "huggingface.co/sweepai/sweep-next-edit-1.5B");
  });

  it("gives every next-edit model the next-edit role only, with no FIM family or chat template, so it is never offered for completion or chat", () => {
    assert.ok(nextEditModels().length > 0);
    for (const model of nextEditModels()) {
      assert.deepEqual(model.roles, ["next-edit"], model.id);
      assert.equal(model.fimFamily, null, model.id);
      assert.equal(model.chatTemplate, null, model.id);
      assert.equal(model.nextEditFamily, "Sweep next-edit", model.id);
    }
  });

  it("refuses a next-edit model that also claims completion or chat, or that has a FIM family", () => {
    const sweep = nextEditModels()[0]!;
    const problems = validateCatalog(catalogWith({ ...sweep, roles: ["next-edit", "completion"], fimFamily: "Qwen2.5-Coder" }));
    assert.ok(problems.some((p) => /sweep.*a next-edit model has the next-edit role only/.test(p)), problems.join("\n"));
    assert.ok(problems.some((p) => /a next-edit model has fimFamily and chatTemplate null/.test(p)), problems.join("\n"));
    assert.equal(loadCatalog(catalogWith({ ...sweep, roles: ["next-edit", "chat"], chatTemplate: "chatml" })).models.filter((m) => m.roles.includes("next-edit")).length, 0);
  });

  it("refuses a next-edit model without its next-edit family, and a next-edit family on another model", () => {
    const sweep = nextEditModels()[0]!;
    const { nextEditFamily: _dropped, ...withoutFamily } = sweep;
    assert.ok(validateCatalog(catalogWith(withoutFamily)).some((p) => /needs a nextEditFamily/.test(p)));
    const completion = loadCatalog().models.find((m) => m.roles.includes("completion"))!;
    const problems = validateCatalog({ version: 1, about: "", models: [...loadCatalog().models.filter((m) => m !== completion), { ...completion, nextEditFamily: "Sweep next-edit" }] });
    assert.ok(problems.some((p) => /nextEditFamily belongs to a next-edit model only/.test(p)), problems.join("\n"));
  });

  it("names a role it does not know in the message", () => {
    const sweep = nextEditModels()[0]!;
    const problems = validateCatalog(catalogWith({ ...sweep, roles: ["nextedit" as never] }));
    assert.ok(problems.some((p) => /roles must list completion and\/or chat, or embedding, or next-edit/.test(p)), problems.join("\n"));
  });
});
