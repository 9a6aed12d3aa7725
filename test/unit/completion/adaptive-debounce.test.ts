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
  /** Keys of a gap sequence (from `from` on) after which the next key came later than the wait: each starts a call. */
  const callsBetweenKeys = (gaps: readonly number[], waits: readonly number[], from: number) =>
    gaps.slice(from, -1).filter((_, i) => gaps[from + i + 1]! > waits[from + i]!).length;

  it("waits just past a fast typist's usual gap, so that a burst of their keys starts almost no call", () => {
    const gaps = rhythm(60, 80);
    const waits = waitsFor(gaps);
    assert.ok(Math.max(...waits.slice(15)) <= 75, `waited up to ${Math.max(...waits.slice(15))} ms`);
    const calls = callsBetweenKeys(gaps, waits, 15);
    // Against the rule before (every key of this burst waits past the next one), a few of the longest gaps do.
    assert.ok(calls <= 8, `${calls} of 64 keys started a call`);
  });

  it("is not moved by the longer gaps after words and lines", () => {
    // Five letters 60 ms apart, then 150 ms after the word, over and over; now and then a line end.
    const gaps = Array.from({ length: 90 }, (_, i) => (i % 30 === 29 ? 450 : i % 6 === 5 ? 150 : 60));
    const waits = waitsFor(gaps);
    for (let i = 15; i < gaps.length; i++) assert.ok(waits[i]! > 60 && waits[i]! <= 75, `key ${i}: waited ${waits[i]} ms`);
  });

  it("asks at once when a wait past the typist's gap would be long: such a typist starts a call per key under any short wait", () => {
    assert.deepEqual(new Set(waitsFor(rhythm(300, 30))), new Set([0]));
    assert.deepEqual(new Set(waitsFor(rhythm(100, 30))), new Set([0]));
  });

  it("asks at once after the first key of a session, before any rhythm is known", () => {
    assert.deepEqual(waitsFor([0]), [0]);
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
