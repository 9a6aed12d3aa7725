// The team bench's figures: per configuration (the in-process engine alone, then 1, 2, 4, 8 developers on one
// llama-server), pooled over the repetitions: latency p50/p95 overall and per developer, prompt tokens sent and
// evaluated per request, and the server's throughput while everyone typed (medians over the repetitions).
import { median, quantile, type FlatValue } from "../report";
import type { RoundResult, TeamSample } from "./team-round";

export interface ConfigFigures {
  key: string;
  title: string;
  rounds: RoundResult[];
  samples: TeamSample[];
  /** Prompt tokens each sample sent, in its order. */
  sent: number[];
}

const r = (value: number, digits = 0) => (Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : null);
const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
const s = (ms: FlatValue | undefined) => (typeof ms === "number" ? `${(ms / 1000).toFixed(2)} s` : "–");
export const loadText = (load: readonly number[]) => load.map((x) => x.toFixed(2)).join(" ");

/** p50/p95 of each developer, in ms, pooled over the repetitions. */
function perDeveloper(samples: readonly TeamSample[]): { developer: number; p50: number; p95: number }[] {
  const ids = [...new Set(samples.map((x) => x.developer))].sort((a, b) => a - b);
  return ids.map((developer) => {
    const ms = samples.filter((x) => x.developer === developer).map((x) => x.ms);
    return { developer, p50: median(ms), p95: quantile(ms, 0.95) };
  });
}

export function configFigures(c: ConfigFigures): Record<string, FlatValue> {
  const ms = c.samples.map((x) => x.ms);
  const devs = perDeveloper(c.samples);
  const perS = (pick: (round: RoundResult) => number) => median(c.rounds.map((round) => pick(round) / round.wallS));
  const sum = (round: RoundResult, pick: (x: TeamSample) => number) => round.samples.reduce((a, x) => a + pick(x), 0);
  return {
    [`${c.key}_requests`]: c.samples.length,
    [`${c.key}_unfinished_at_limit`]: c.rounds.reduce((a, round) => a + round.unfinished, 0),
    [`${c.key}_failed`]: c.rounds.reduce((a, round) => a + round.failed, 0),
    [`${c.key}_first_failure`]: c.rounds.find((round) => round.firstFailure)?.firstFailure ?? null,
    [`${c.key}_ms_p50`]: r(median(ms)),
    [`${c.key}_ms_p95`]: r(quantile(ms, 0.95)),
    [`${c.key}_engine_ms_p50`]: r(median(c.samples.map((x) => x.engineMs))),
    [`${c.key}_worst_developer_p50`]: devs.length > 0 ? r(Math.max(...devs.map((d) => d.p50))) : null,
    [`${c.key}_worst_developer_p95`]: devs.length > 0 ? r(Math.max(...devs.map((d) => d.p95))) : null,
    [`${c.key}_per_developer_p50_p95_ms`]: devs.map((d) => `${d.developer}:${r(d.p50)}/${r(d.p95)}`).join(" "),
    [`${c.key}_per_repetition_p50`]: c.rounds.map((round) => r(median(round.samples.map((x) => x.ms)))).join(" "),
    [`${c.key}_prompt_tokens_sent_mean`]: r(mean(c.sent), 1),
    [`${c.key}_prompt_tokens_evaluated_mean`]: r(mean(c.samples.map((x) => x.evaluated)), 1),
    [`${c.key}_prompt_tokens_evaluated_p50`]: r(median(c.samples.map((x) => x.evaluated)), 1),
    [`${c.key}_generated_tokens_mean`]: r(mean(c.samples.map((x) => x.generated)), 1),
    [`${c.key}_requests_per_s`]: r(perS((round) => round.samples.length), 2),
    [`${c.key}_evaluated_prompt_tokens_per_s`]: r(perS((round) => sum(round, (x) => x.evaluated)), 1),
    [`${c.key}_generated_tokens_per_s`]: r(perS((round) => sum(round, (x) => x.generated)), 1),
    [`${c.key}_context_per_slot`]: c.rounds[0]?.contextPerSlot ?? null,
    [`${c.key}_load_after_rounds`]: c.rounds.map((round) => loadText(round.load)).join(" | "),
  };
}

export function configRow(c: ConfigFigures, f: Record<string, FlatValue>): string {
  const n = (name: string) => f[`${c.key}_${name}`];
  return `| ${c.title} | ${String(n("requests"))} / ${String(n("unfinished_at_limit"))} / ${String(n("failed"))} | ${s(n("ms_p50"))} | ${s(n("ms_p95"))} | ${s(n("engine_ms_p50"))} | ${s(n("worst_developer_p50"))} / ${s(n("worst_developer_p95"))} | ${String(n("prompt_tokens_sent_mean"))} | ${String(n("prompt_tokens_evaluated_mean"))} (p50 ${String(n("prompt_tokens_evaluated_p50"))}) | ${String(n("generated_tokens_mean"))} | ${String(n("requests_per_s"))} | ${String(n("evaluated_prompt_tokens_per_s"))} | ${String(n("generated_tokens_per_s"))} | ${c.rounds.map((round) => round.load[0].toFixed(1)).join(", ")} |`;
}

export const TABLE_HEAD = `| configuration | answered / unfinished at the limit / failed | p50 | p95 | engine call p50 | worst developer p50 / p95 | prompt tokens sent / request | evaluated / request | generated / request | requests/s | evaluated prompt tokens/s | generated tokens/s | load (1 min) after each round |
|---|---|---|---|---|---|---|---|---|---|---|---|---|`;
