// A sample of the reliability bench's hostile Markdown (bench/reliability/markdown-cases.ts): model answers rendered by
// the chat view's real EntryView under jsdom with scripts enabled and traps set, each case in a worker thread with a
// deadline. The whole corpus, the large inputs included, runs in `npm run bench:reliability`.
import { strict as assert } from "node:assert";
import { runCasePool } from "../../../bench/reliability/case-pool";
import { MARKDOWN_CORPUS } from "../../../bench/reliability/markdown-cases";
import { failures, type CaseResult } from "../../../bench/reliability/outcomes";

const SAMPLE_EVERY = 6;

describe("reliability: hostile Markdown in the chat view (a sample of the bench's corpus)", function () {
  this.timeout(120_000);

  it("holds at least 200 cases, mXSS among them", () => {
    assert.ok(MARKDOWN_CORPUS.length >= 200, `${MARKDOWN_CORPUS.length} cases`);
    assert.ok(MARKDOWN_CORPUS.filter((c) => c.name.startsWith("mxss:")).length >= 40);
  });

  it("renders every sampled case inert, finished and streamed: nothing runs, nothing unsafe is left, nothing hangs or throws", async () => {
    const sample = MARKDOWN_CORPUS.filter((c) => !c.large).filter((_, i) => i % SAMPLE_EVERY === 0);
    const results = await runCasePool({ corpus: "markdown", module: "markdown-cases.js", cases: sample, timeoutMs: 30_000, init: { renderer: "view" } });
    assert.equal(results.length, sample.length);
    assert.deepEqual(failures(results).map(show), []);
  });

  it("catches the same payloads when they reach the page without the sanitiser (the traps can fail a case)", async () => {
    const names = [
      "html: an img with onerror",
      "html: an svg with onload",
      "mxss: a math/mtext/table/mglyph/style confusion",
      "link: a javascript: link",
      "css: a style attribute with url()",
    ];
    const cases = MARKDOWN_CORPUS.filter((c) => names.includes(c.name));
    assert.equal(cases.length, names.length);
    const results = await runCasePool({ corpus: "control", module: "markdown-cases.js", cases, timeoutMs: 30_000, init: { renderer: "unsanitised" } });
    for (const result of results) assert.ok(result.outcome === "ran-code" || result.outcome === "unsafe", show(result));
    assert.ok(results.some((r) => r.outcome === "ran-code"), "at least one handler really ran and tripped a trap");
  });
});

function show(result: CaseResult): string {
  return `${result.name}: ${result.outcome} (${result.detail})`;
}
