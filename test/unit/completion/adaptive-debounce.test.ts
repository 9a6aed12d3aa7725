// The debounce against typists' rhythms, on a fake clock: what it waits after a key decides both how soon a suggestion
// comes after a pause and how many model calls a burst of typing starts.
import { strict as assert } from "node:assert";
import { AdaptiveDebounce, DEFAULT_DEBOUNCE, RHYTHM_DEBOUNCE, type DebounceOptions } from "../../../src/completion/adaptive-debounce";

/** Keys `gaps` apart (ms) on a fake clock; returns each key's wait. */
function waitsFor(gaps: readonly number[], options: DebounceOptions = DEFAULT_DEBOUNCE): number[] {
  let now = 0;
  const debounce = new AdaptiveDebounce(options, () => now);
  return gaps.map((gap) => {
    now += gap;
    return debounce.keystroke();
  });
}

/** A typist's gaps: `ms` ± `jitter` (a fixed pattern, so the test is the same every run). */
function rhythm(ms: number, keys: number, jitter = 0.15): number[] {
  return Array.from({ length: keys }, (_, i) => Math.round(ms * (1 + jitter * Math.sin(i * 2.3))));
}

describe("AdaptiveDebounce's default", () => {
  it("asks the model at once after every key, for a fast typist and a slow one alike", () => {
    for (const gaps of [rhythm(60, 30), rhythm(300, 30), [0]]) assert.deepEqual(new Set(waitsFor(gaps)), new Set([0]));
  });
});

describe("AdaptiveDebounce's rhythm rule", () => {
  it("waits at most 150 ms after a key, however slowly the user types", () => {
    const waits = waitsFor(rhythm(400, 30), RHYTHM_DEBOUNCE);
    assert.ok(Math.max(...waits) <= 150, `waited ${Math.max(...waits)} ms`);
  });

  it("starts no model call between the keys of a fast typist: it waits longer than their longest gap", () => {
    const gaps = rhythm(70, 60);
    const waits = waitsFor(gaps, RHYTHM_DEBOUNCE);
    // From the fifth key on (the rhythm is learnt), the next key always comes before the wait ends.
    for (let i = 4; i < gaps.length - 1; i++) assert.ok(waits[i]! > gaps[i + 1]!, `key ${i}: waited ${waits[i]} ms, next key after ${gaps[i + 1]} ms`);
  });

  it("waits little more than a fast typist's usual gap once it has learnt their rhythm", () => {
    const waits = waitsFor(rhythm(70, 30), RHYTHM_DEBOUNCE);
    assert.ok(waits.at(-1)! <= 120, `waited ${waits.at(-1)} ms`);
  });

  it("asks the model soon after the first key of a session, before any rhythm is known", () => {
    assert.ok(waitsFor([0], RHYTHM_DEBOUNCE)[0]! <= 120);
  });
});
