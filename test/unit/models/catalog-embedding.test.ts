import { strict as assert } from "node:assert";
import { loadCatalog, validateCatalog, type CatalogModel } from "../../../src/models/catalog";

describe("models: the catalog's embedding models", () => {
  const embeddingModels = () => loadCatalog().models.filter((m) => m.roles.includes("embedding"));

  it("offers a small embedding model, recommended, with its dimensions, pinned like every entry", () => {
    const models = embeddingModels();
    const recommended = models.find((m) => m.recommended);
    assert.ok(recommended, models.map((m) => m.id).join(", "));
    assert.ok(recommended.sizeBytes < 100e6, `${recommended.id} is ${recommended.sizeBytes} bytes`);
    for (const model of models) {
      assert.ok((model.embedding?.dimensions ?? 0) > 0, model.id);
      assert.match(model.source, /#[0-9a-f]{40}$/, model.id);
      assert.deepEqual(model.roles, ["embedding"], model.id);
    }
  });

  it("the schema reports an embedding model without dimensions, one that claims another role, and a bad pooling", () => {
    const good = embeddingModels()[0]!;
    const variant = (id: string, change: Partial<CatalogModel>) => ({ ...good, id, source: `${good.source.replace(/#.*$/, "")}${id}.gguf#${"a".repeat(40)}`, ...change });
    const problems = validateCatalog({
      version: 1,
      about: "",
      models: [
        ...loadCatalog().models,
        variant("no-dims", { embedding: undefined }),
        variant("two-roles", { roles: ["embedding", "chat"], chatTemplate: "chatml" }),
        variant("bad-pooling", { embedding: { dimensions: 384, pooling: "max" as "mean" } }),
      ],
    });
    assert.ok(problems.some((p) => /no-dims.*needs embedding\.dimensions/.test(p)), problems.join("\n"));
    assert.ok(problems.some((p) => /two-roles.*embedding role only/.test(p)), problems.join("\n"));
    assert.ok(problems.some((p) => /bad-pooling.*pooling must be/.test(p)), problems.join("\n"));
  });
});
