import { strict as assert } from "node:assert";
import { RESTRICTED_SETTINGS } from "../../../src/common/settings";
import { runSettingsCase } from "../../../bench/reliability/settings-cases";
import { tally, type CaseResult } from "../../../bench/reliability/outcomes";
import { declaredDefaults, HOSTILE_SETTINGS_CASES } from "../../fixtures/settings/hostile-settings";

const restricted: ReadonlySet<string> = new Set(RESTRICTED_SETTINGS);

describe("hostile settings (the reliability bench's corpus)", () => {
  const defaults = declaredDefaults();
  const results: CaseResult[] = [];

  it("has at least 200 cases, half of them in Restricted Mode", () => {
    assert.ok(HOSTILE_SETTINGS_CASES.length >= 200, `${HOSTILE_SETTINGS_CASES.length} cases`);
    assert.equal(HOSTILE_SETTINGS_CASES.filter((c) => !c.trusted).length * 2, HOSTILE_SETTINGS_CASES.length);
    assert.equal(new Set(HOSTILE_SETTINGS_CASES.map((c) => c.name)).size, HOSTILE_SETTINGS_CASES.length, "names are unique");
  });

  // An unsafe verdict includes a restricted setting that took the workspace's value in Restricted Mode, or one whose
  // value was dropped without the user being told (runSettingsCase checks both).
  for (const spec of HOSTILE_SETTINGS_CASES) {
    it(`handles ${spec.name}`, () => {
      const verdict = runSettingsCase(spec, defaults);
      results.push({ corpus: "settings", name: spec.name, outcome: verdict.outcome, detail: verdict.detail, ms: verdict.stallMs ?? 0 });
      assert.ok(verdict.outcome === "accepted" || verdict.outcome === "refused", `${verdict.outcome}: ${verdict.detail}`);
    });
  }

  it("refuses, with a message, every Restricted Mode case that sets a path from the workspace", () => {
    const counts = tally(results);
    assert.equal(counts.tried, HOSTILE_SETTINGS_CASES.length);
    for (const spec of HOSTILE_SETTINGS_CASES) {
      const setsPath =
        !spec.trusted &&
        Object.entries({ ...spec.workspace, ...spec.folder }).some(
          ([key, value]) => /path|Adapters|folders|Folder/.test(key) && restricted.has(key) && JSON.stringify(value) !== JSON.stringify(spec.user[key] ?? defaults[key]),
        );
      if (!setsPath) continue;
      const result = results.find((r) => r.name === spec.name);
      assert.equal(result?.outcome, "refused", spec.name);
      assert.match(result.detail, /until you trust it/);
    }
  });
});
