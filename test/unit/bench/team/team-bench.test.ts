// The team bench's developers each type their own block of code, and its figures say how many requests a round left
// unanswered at its time limit instead of hiding them.
import { strict as assert } from "node:assert";
import type { ReplayFile } from "../../../../bench/engine/replay-files";
import { teamDevelopers } from "../../../../bench/team/developers";
import { configFigures } from "../../../../bench/team/team-report";
import type { RoundResult, TeamSample } from "../../../../bench/team/team-round";

const TEXT = Array.from({ length: 200 }, (_, i) => `const value${i} = compute(${i}, "x");`).join("\n");

function file(name: string): ReplayFile {
  return { label: name, languageId: "javascript", root: "/w", origin: "test", file: { path: `/w/${name}`, uri: `file:///w/${name}`, relativePath: name, text: TEXT }, tabs: [], lines: [100, 104] };
}

function sample(developer: number, ms: number): TeamSample {
  return { developer, ms, engineMs: ms, evaluated: 100, generated: 24, params: { prefix: "", suffix: "", maxTokens: 24 } };
}

function round(samples: TeamSample[], unfinished: number, failed = 0): RoundResult {
  return { kind: "server", developers: 2, repetition: 1, samples, unfinished, failed, firstFailure: failed > 0 ? "closed" : null, wallS: 10, contextPerSlot: 4096, load: [1, 1, 1], engineErrors: [] };
}

describe("team bench", () => {
  it("gives every developer a block of its own with the asked number of requests after the warm-up", () => {
    const developers = teamDevelopers([file("a.js"), file("b.js"), file("c.js")], 8, 5);
    assert.equal(new Set(developers.map((d) => d.label)).size, 8);
    for (const developer of developers) assert.equal(developer.steps.length, 6);
    assert.ok(developers.every((d) => d.blockRequests >= 5 && d.blockChars > 0));
  });

  it("refuses more developers than the files and line shifts give, saying how many it can make", () => {
    assert.throws(() => teamDevelopers([file("a.js")], 4, 2), /at most 3 developers/);
  });

  it("refuses more requests than a block's typing has", () => {
    assert.throws(() => teamDevelopers([file("a.js")], 1, 10_000), /has only \d+ requests; asked for 10000/);
  });

  it("counts the requests a round left unanswered at its limit and the failed ones beside the answered", () => {
    const figures = configFigures({ key: "team_2", title: "2", rounds: [round([sample(0, 1000), sample(1, 3000)], 4, 1)], samples: [sample(0, 1000), sample(1, 3000)], sent: [900, 950] });
    assert.equal(figures.team_2_requests, 2);
    assert.equal(figures.team_2_unfinished_at_limit, 4);
    assert.equal(figures.team_2_failed, 1);
    assert.equal(figures.team_2_worst_developer_p50, 3000);
  });

  it("reports no latency rather than a made-up one when a round answered nothing", () => {
    const figures = configFigures({ key: "team_8", title: "8", rounds: [round([], 24)], samples: [], sent: [] });
    assert.equal(figures.team_8_ms_p50, null);
    assert.equal(figures.team_8_worst_developer_p50, null);
    assert.equal(figures.team_8_unfinished_at_limit, 24);
  });
});
