import * as assert from "node:assert/strict";
import { silentLogger } from "../../../src/common/logger";
import { completionContextRequest } from "../../../src/completion/generate-suggestion";
import { ContextEngine } from "../../../src/context/context-engine";
import type { AssembledContext } from "../../../src/context/context-types";
import { InThreadSymbolIndex } from "../../../src/context/index/symbol-index";
import { estimateTokens } from "../../../src/context/token-estimate";
import { HOSTILE_KINDS, HOSTILE_LANGUAGES, hostileSource, minified } from "../../fixtures/hostile-sources";
import type { HostileLanguage } from "../../fixtures/hostile-sources";
import { cpuMsOf } from "../helpers/cpu-time";
import { grammarsDir } from "./fixtures";

const BUDGET = 1536;
/** No code tokenizes to fewer than one token per 8 characters (a run of indentation is the best case). */
const MAX_CHARS_PER_TOKEN = 8;
/** Far above the CPU time a bounded assembly takes; the unbounded one took seconds to minutes. */
const BOUNDED_MS = 1000;

describe("ContextEngine on hostile source files", function () {
  this.timeout(180_000);
  let engine: ContextEngine;
  let index: InThreadSymbolIndex;

  beforeEach(() => {
    index = new InThreadSymbolIndex({ grammarsDir, logger: silentLogger });
    engine = new ContextEngine({ grammarsDir, logger: silentLogger, readFile: async () => null, symbolIndex: index, indexTimeoutMs: 50 });
  });
  afterEach(() => engine.dispose());

  const uriFor = (languageId: HostileLanguage): string => `/hostile/file.${languageId === "python" ? "py" : languageId === "typescript" ? "ts" : "js"}`;

  /**
   * What the inline provider does for one keystroke: prepare() at the keystroke, assemble() after the pause; `ms` is
   * the CPU time it took (on a loaded machine the wall clock mostly measures the other processes).
   */
  async function complete(uri: string, languageId: string, text: string, offset: number): Promise<{ ctx: AssembledContext; ms: number }> {
    const req = completionContextRequest({ uri, languageId, text, offset }, BUDGET);
    let ctx!: AssembledContext;
    const ms = await cpuMsOf(async () => {
      engine.prepare(req);
      ctx = await engine.assemble(req);
    });
    return { ctx, ms };
  }

  /** The fastest of a few completions at different places in the middle of the text (caches by position do not help). */
  async function fastestCompletion(uri: string, text: string, round: number): Promise<number> {
    let best = Number.POSITIVE_INFINITY;
    for (const at of [0.3, 0.4, 0.5, 0.6, 0.7]) best = Math.min(best, (await complete(uri, "javascript", text, Math.floor(text.length * at) + round)).ms);
    return best;
  }

  it("builds a completion's context for a one-line minified file in a time that does not grow with the line", async () => {
    const small = minified("javascript", 128 * 1024);
    const large = minified("javascript", 1024 * 1024);
    engine.openDocument("/hostile/small.js", "javascript", small, 1);
    engine.openDocument("/hostile/large.js", "javascript", large, 1);
    // Alternating, so that a busy moment of the machine does not fall on one size only; the first round warms up.
    const times = { small: Number.POSITIVE_INFINITY, large: Number.POSITIVE_INFINITY };
    for (let round = 0; round < 4; round++) {
      const s = await fastestCompletion("/hostile/small.js", small, round);
      const l = await fastestCompletion("/hostile/large.js", large, round);
      if (round > 0) [times.small, times.large] = [Math.min(times.small, s), Math.min(times.large, l)];
    }
    // 8 times the text: bounded work stays about the same, linear work is 8 times, quadratic 64 times.
    assert.ok(times.large < Math.max(times.small, 1) * 3, `128 KB: ${times.small.toFixed(1)} ms, 1 MB: ${times.large.toFixed(1)} ms of CPU`);
  });

  it("counts the tokens of a bounded stretch of a minified line, however long the line", async () => {
    let counted = 0;
    engine.dispose();
    engine = new ContextEngine({ grammarsDir, logger: silentLogger, readFile: async () => null, symbolIndex: index, indexTimeoutMs: 50, countTokens: (text) => ((counted += text.length), estimateTokens(text)) });
    const charsCounted = async (text: string): Promise<number> => {
      counted = 0;
      engine.openDocument("/hostile/line.js", "javascript", text, 1);
      await complete("/hostile/line.js", "javascript", text, Math.floor(text.length / 2));
      return counted;
    };
    const small = await charsCounted(minified("javascript", 64 * 1024));
    const large = await charsCounted(minified("javascript", 4 * 1024 * 1024));
    assert.ok(large <= small, `64 KB: ${small} characters counted, 4 MB: ${large}`);
    assert.ok(large <= BUDGET * MAX_CHARS_PER_TOKEN * 2, `${large} characters counted for a budget of ${BUDGET} tokens`);
  });

  for (const kind of HOSTILE_KINDS) {
    for (const languageId of HOSTILE_LANGUAGES) {
      it(`assembles a bounded context for ${kind.description} (${languageId}) in bounded time`, async () => {
        const source = hostileSource(kind, languageId);
        const uri = uriFor(languageId);
        engine.openDocument(uri, languageId, source.text, 1);
        // Where the file can be parsed, wait for its tree: the tree's paths are the ones to prove bounded.
        await engine.whenParsed(uri, 60_000);
        const { ctx, ms } = await complete(uri, languageId, source.text, source.offset);
        assert.ok(ms < BOUNDED_MS, `${ms.toFixed(0)} ms of CPU`);
        assertSaneContext(ctx, source.text, source.offset);
      });
    }
  }
});

/** The windows meet at the cursor, come from the text, and fit the budget; items fit it too. */
function assertSaneContext(ctx: AssembledContext, text: string, offset: number): void {
  assert.equal(text.slice(offset - ctx.prefix.length, offset), ctx.prefix, "the prefix ends at the cursor");
  assert.equal(text.slice(offset, offset + ctx.suffix.length), ctx.suffix, "the suffix starts at the cursor");
  assert.ok(ctx.prefix.length > 0, "some text before the cursor");
  const chars = ctx.prefix.length + ctx.suffix.length + ctx.items.reduce((n, i) => n + i.text.length, 0);
  assert.ok(chars <= BUDGET * MAX_CHARS_PER_TOKEN, `${chars} characters of context for ${BUDGET} tokens`);
  assert.ok(ctx.tokens.prefix + ctx.tokens.suffix + ctx.tokens.items <= BUDGET, JSON.stringify(ctx.tokens));
  assert.ok(!splitsPair(text, offset - ctx.prefix.length), "the prefix does not start inside a surrogate pair");
  assert.ok(!splitsPair(text, offset + ctx.suffix.length), "the suffix does not end inside a surrogate pair");
  assert.equal(ctx.prefixStartLine, lineOf(text, offset - ctx.prefix.length), "the prefix's first line is the document's line");
}

function splitsPair(text: string, at: number): boolean {
  const high = text.charCodeAt(at - 1);
  const low = text.charCodeAt(at);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}

function lineOf(text: string, offset: number): number {
  let line = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}
