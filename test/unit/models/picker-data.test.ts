import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCatalog } from "../../../src/models/catalog";
import { ModelScanner, type DiscoveryRoot, type ScanResult } from "../../../src/models/discovery";
import { inspectNamedModels } from "../../../src/models/named-models";
import { buildPickerData, pickerRows, usesToOffer, type PickerData, type PickerRow } from "../../../src/models/picker-data";
import { writeFakeModel } from "./fixtures";

const MACHINE = { freeRamBytes: 8e9, totalRamBytes: 16e9, gpu: null };
/** What a quick pick row shows without cutting: label and description on one line, the detail on the next. */
const ROW_CHARACTERS = 80;
/** A row's text as drawn: each $(icon) is one glyph. */
const shown = (text: string) => text.replace(/\$\([\w~-]+\)/g, "#");

describe("models: the picker's data and rows", function () {
  this.timeout(20_000);
  let folder: string;
  let roots: DiscoveryRoot[];
  let scan: ScanResult;
  let other: string;
  let outside: string;

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), "hearth-picker-data-"));
    await writeFakeModel(join(folder, "team", "a-coder.gguf"), { name: "Alpha Coder" });
    other = await writeFakeModel(join(folder, "team", "z-chat.gguf"), { name: "Zulu Chat", fim: false });
    outside = await writeFakeModel(join(folder, "elsewhere", "built-in.gguf"), { name: "Built-in Test Model" });
    roots = [{ source: "user", path: join(folder, "team"), layout: "files" }];
    scan = await new ModelScanner().scan(roots);
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  async function data(currentPath: string, chatPath = ""): Promise<PickerData> {
    return buildPickerData({
      scan,
      catalog: loadCatalog().models,
      machine: MACHINE,
      contextSize: 4096,
      currentPath,
      chatPath,
      named: await inspectNamedModels([currentPath, chatPath], scan),
    });
  }

  const items = (rows: PickerRow[]) => rows.filter((row): row is Exclude<PickerRow, { separator: string }> => !("separator" in row));

  it("lists the current model first and marks it, ahead of models that sort before it", async () => {
    const picker = await data(other);
    assert.deepEqual(
      picker.found.map((e) => [e.label, e.current]),
      [
        ["Zulu Chat", true],
        ["Alpha Coder", false],
      ],
    );
    const first = items(pickerRows(picker))[0];
    assert.equal(first?.label, "$(check) Zulu Chat");
    assert.match(first?.description ?? "", /^current · /);
  });

  it("lists the current model first when it lies outside every scanned folder, saying it comes from the settings", async () => {
    const picker = await data(outside);
    assert.equal(picker.found[0]?.path, outside);
    assert.deepEqual(picker.found[0]?.uses, ["completion", "chat"]);
    assert.match(picker.found[0]?.detail ?? "", /from your settings/);
    assert.equal(picker.found.length, 3, "the scanned models are listed after it");
    const rows = items(pickerRows(picker));
    assert.equal(rows[0]?.label, "$(check) Built-in Test Model");
    assert.ok(!rows.some((row) => row.label.includes("No GGUF models found")));
  });

  it("puts the completion model first and the chat model second, each marked with what it is current for", async () => {
    const picker = await data(outside, other);
    const rows = items(pickerRows(picker)).slice(0, 3);
    assert.deepEqual(
      rows.map((row) => [row.label, row.description.startsWith("current") ? row.description.split(" · ")[0] : "not current"]),
      [
        ["$(check) Built-in Test Model", "current for completion"],
        ["$(check) Zulu Chat", "current for chat"],
        ["$(pass) Alpha Coder", "not current"],
      ],
    );
  });

  it("shows a current model that cannot be used first, with the reason, instead of saying no models were found", async () => {
    const missing = join(folder, "gone", "deleted.gguf");
    const picker = buildPickerData({
      scan: { ...scan, models: [] },
      catalog: [],
      machine: MACHINE,
      contextSize: 4096,
      currentPath: missing,
      named: await inspectNamedModels([missing], { ...scan, models: [] }),
    });
    const rows = items(pickerRows(picker));
    assert.equal(rows[0]?.label, "$(warning) deleted.gguf");
    assert.equal(rows[0]?.description, "current · cannot be used");
    assert.match(rows[0]?.detail ?? "", /deleted\.gguf does not exist/);
    assert.ok(!rows.some((row) => row.label.includes("No GGUF models found")));
  });

  it("says no models were found only when none is found and none is named", async () => {
    const picker = buildPickerData({ scan: { ...scan, models: [] }, catalog: [], machine: MACHINE, contextSize: 4096, currentPath: "" });
    assert.ok(items(pickerRows(picker)).some((row) => row.label === "$(info) No GGUF models found"));
  });

  it("keeps a found model's size, quantisation and fit on its first line and what it can do first on its second", async () => {
    const row = items(pickerRows(await data(""))).find((r) => r.label.endsWith("Alpha Coder"));
    assert.ok(row);
    assert.match(row.description, /^\d+ k?B · Q8_0 · fits$/);
    assert.match(row.detail ?? "", /^completion \+ chat · /);
    assert.ok(shown(`${row.label} ${row.description}`).length <= ROW_CHARACTERS, `first line too long: ${row.label} ${row.description}`);
  });

  it("offers each catalog model as a visible Download row whose size, fit and licence are not cut off", async () => {
    const picker = await data(outside);
    const downloads = items(pickerRows(picker)).filter((row) => row.action.kind === "download");
    assert.equal(downloads.length, picker.catalog.length);
    assert.ok(downloads.length > 5);
    for (const row of downloads) {
      const entry = row.action.kind === "download" ? row.action.entry : undefined;
      assert.ok(row.label.startsWith("$(cloud-download) Download "), row.label);
      assert.match(row.description, /\d+(\.\d+)? (MB|GB) · \S+ · (fits|tight|too large)/);
      assert.ok(shown(`${row.label} ${row.description}`).length <= ROW_CHARACTERS, `first line too long: ${row.label} ${row.description}`);
      const licence = `licence ${entry?.catalog?.licence}`;
      assert.ok((row.detail ?? "").indexOf(licence) + licence.length <= ROW_CHARACTERS, `the licence is cut off: ${row.detail}`);
    }
  });

  it("offers a catalog next-edit model for next-edit suggestions only, never for completion or chat", async () => {
    const picker = await data(outside);
    const sweep = picker.catalog.find((e) => e.catalog?.roles.includes("next-edit"));
    assert.ok(sweep, "the catalog's next-edit model is offered for download");
    assert.deepEqual(sweep.capabilities, ["next-edit"]);
    assert.deepEqual(usesToOffer(sweep.capabilities), ["next-edit"]);
    assert.match(sweep.detail, /^next-edit suggestions only · licence /);
    for (const entry of picker.catalog.filter((e) => e !== sweep)) assert.ok(!usesToOffer(entry.capabilities).includes("next-edit"), entry.id);
  });

  it("knows the catalog's next-edit file on disk by its name, though its vocabulary has FIM tokens like a completion model's", async () => {
    const sweepFile = loadCatalog().models.find((m) => m.roles.includes("next-edit"))!.fileName;
    const path = await writeFakeModel(join(folder, "downloads", sweepFile), { name: "Sweep Next Edit 1.5B" });
    const downloads: DiscoveryRoot[] = [{ source: "user", path: join(folder, "downloads"), layout: "files" }];
    const found = await new ModelScanner().scan(downloads);
    const picker = buildPickerData({ scan: found, catalog: loadCatalog().models, machine: MACHINE, contextSize: 4096, currentPath: "", nextEditPath: path });
    const entry = picker.found.find((e) => e.path === path);
    assert.ok(entry);
    assert.deepEqual(entry.capabilities, ["next-edit"]);
    assert.deepEqual(entry.uses, ["next-edit"]);
    assert.ok(!picker.catalog.some((e) => e.catalog?.fileName === sweepFile), "a downloaded file is not offered for download again");
    assert.equal(items(pickerRows(picker))[0]?.description.split(" · ")[0], "current for next-edit");
  });

  it("asks what a file chosen by path is for, next-edit suggestions included, and does not ask about an embedding model", () => {
    assert.deepEqual(usesToOffer(), ["both", "completion", "chat", "embedding", "next-edit"]);
    assert.deepEqual(usesToOffer(["embedding"]), ["embedding"]);
    assert.deepEqual(usesToOffer(["completion", "chat"]), ["both", "completion", "chat"]);
    assert.deepEqual(usesToOffer(["chat"]), ["chat", "both", "completion"]);
  });
});
