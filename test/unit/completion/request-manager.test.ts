import { strict as assert } from "node:assert";
import { AbortedError } from "../../../src/common/abort";
import { silentLogger } from "../../../src/common/logger";
import { AdaptiveDebounce } from "../../../src/completion/adaptive-debounce";
import type { CompletionEngine, ContextAssembler, DocumentSnapshot, TriggerKind } from "../../../src/completion/completion-types";
import { RequestManager, type RequestManagerFeatures } from "../../../src/completion/request-manager";
import type { AssembleRequest, AssembledContext } from "../../../src/context/context-types";
import type { GenerationResult, InfillParams } from "../../../src/engine/protocol";

/** A document written as a string with █ where the cursor is. */
function doc(source: string, languageId = "typescript"): DocumentSnapshot {
  const offset = source.indexOf("█");
  assert.ok(offset >= 0, "the document needs a █ cursor");
  return { uri: "file:///w/src/a.ts", languageId, text: source.replace("█", ""), offset };
}

interface FakeCall {
  params: InfillParams;
  aborted: boolean;
  chunksSent: number;
}

/** Streams a fixed answer in chunks, one chunk per tick of `chunkMs`, and honours aborts like the real client. */
class FakeEngine implements CompletionEngine {
  readonly calls: FakeCall[] = [];
  constructor(
    public answer: (params: InfillParams) => string[],
    private readonly chunkMs = 5,
  ) {}

  infill(params: InfillParams, options: { signal?: AbortSignal; onChunk?: (text: string) => void }): Promise<GenerationResult> {
    const call: FakeCall = { params, aborted: false, chunksSent: 0 };
    this.calls.push(call);
    const chunks = this.answer(params);
    return new Promise((resolve, reject) => {
      let i = 0;
      const timer = setInterval(() => {
        if (i >= chunks.length) {
          clearInterval(timer);
          resolve({ text: chunks.join(""), stopReason: "end-token", promptTokens: 10, generatedTokens: chunks.length, timings: { queuedMs: 0, firstChunkMs: 1, totalMs: 1 } });
          return;
        }
        call.chunksSent++;
        options.onChunk?.(chunks[i++]!);
      }, this.chunkMs);
      options.signal?.addEventListener("abort", () => {
        clearInterval(timer);
        call.aborted = true;
        reject(new AbortedError());
      });
    });
  }
}

/** A context whose cursor sits in an empty block (a multi-line completion) or in the middle of a statement (one line). */
class FakeContext implements ContextAssembler {
  readonly prepared: AssembleRequest[] = [];
  assembled = 0;
  constructor(private readonly multiline = false) {}
  prepare(req: AssembleRequest): void {
    this.prepared.push(req);
  }
  async assemble(req: AssembleRequest): Promise<AssembledContext> {
    this.assembled++;
    return {
      languageId: req.languageId,
      prefix: req.text.slice(0, req.offset),
      suffix: req.text.slice(req.offset),
      items: [],
      surroundings: { languageId: req.languageId, linePrefix: this.multiline ? "" : "x = ", lineSuffix: "", previousLine: "", inEmptyBlock: this.multiline },
      prefixStart: 0,
      suffixEnd: req.text.length,
      prefixStartLine: 0,
      tokens: { prefix: 0, suffix: 0, items: 0, budget: req.budgetTokens },
      parsed: false,
      indexAnswered: false,
      elapsedMs: 0,
      phases: {},
    };
  }
}

function manager(engine: FakeEngine, multiline = false, debounceMs = 30, features: Partial<RequestManagerFeatures> = {}): RequestManager {
  return new RequestManager(
    { engine, context: new FakeContext(multiline), logger: silentLogger },
    { debounce: { minMs: debounceMs, maxMs: debounceMs, factor: 1, pauseMs: 1000 }, orphanGraceMs: 50, features },
  );
}

function ask(rm: RequestManager, snapshot: DocumentSnapshot, triggerKind: TriggerKind = "automatic", signal = new AbortController().signal) {
  return rm.provide({ snapshot, triggerKind, signal });
}

describe("RequestManager", () => {
  it("returns the model's suggestion for the cursor", async () => {
    const engine = new FakeEngine(() => ["a + b;"]);
    const suggestion = await ask(manager(engine), doc("const sum = █\n"));
    assert.equal(suggestion?.text, "a + b;");
    assert.equal(suggestion?.source, "model");
    assert.equal(engine.calls.length, 1);
  });

  it("shows the rest of a suggestion the user is typing through without calling the model", async () => {
    const engine = new FakeEngine(() => ["items.length;"]);
    const rm = manager(engine);
    await ask(rm, doc("const n = █\n"));
    const next = await ask(rm, doc("const n = ite█\n"));
    assert.equal(next?.text, "ms.length;");
    assert.equal(next?.source, "typed-through");
    assert.equal(engine.calls.length, 1);
  });

  it("asks the model again when the user types something the suggestion did not say", async () => {
    const engine = new FakeEngine((p) => [p.prefix.endsWith("x") ? "1;" : "items.length;"]);
    const rm = manager(engine);
    await ask(rm, doc("const n = █\n"));
    const next = await ask(rm, doc("const n = x█\n"));
    assert.equal(next?.text, "1;");
    assert.equal(engine.calls.length, 2);
  });

  it("answers a position it has seen before from the cache", async () => {
    const engine = new FakeEngine(() => ["a + b;"]);
    const rm = manager(engine);
    await ask(rm, doc("const sum = █\n"));
    rm.forgetShown();
    await ask(rm, doc("const other = █\n"));
    const again = await ask(rm, doc("const sum = █\n"));
    assert.equal(again?.source, "cache");
    assert.equal(engine.calls.length, 2);
  });

  it("forgets every cached and shown suggestion after a reset (another model answers now)", async () => {
    const engine = new FakeEngine(() => ["a + b;"]);
    const rm = manager(engine);
    await ask(rm, doc("const sum = █\n"));
    rm.reset();
    engine.answer = () => ["x * y;"];
    const again = await ask(rm, doc("const sum = █\n"));
    assert.equal(again?.text, "x * y;");
    assert.equal(again?.source, "model");
    const typed = await ask(rm, doc("const sum = a█\n"));
    assert.notEqual(typed?.source, "typed-through");
    assert.equal(engine.calls.length, 3);
  });

  it("aborts a generation under way on reset", async () => {
    const engine = new FakeEngine(() => ["a", "b", "c", "d", "e", "f"], 20);
    const rm = manager(engine);
    const pending = ask(rm, doc("const sum = █\n"), "invoked");
    await new Promise((resolve) => setTimeout(resolve, 30));
    rm.reset();
    assert.equal(await pending, null);
    assert.equal(engine.calls[0]?.aborted, true);
  });

  it("lets the context start its slow lookups when the typing pause begins, not for answers it already has", async () => {
    const engine = new FakeEngine(() => ["a + b;"]);
    const context = new FakeContext();
    const rm = new RequestManager({ engine, context, logger: silentLogger }, { debounce: { minMs: 30, maxMs: 30, factor: 1, pauseMs: 1000 } });
    await ask(rm, doc("const sum = █\n"));
    assert.equal(context.prepared.length, 1);
    assert.equal(context.prepared[0]?.offset, "const sum = ".length);
    rm.forgetShown();
    await ask(rm, doc("const sum = █\n"));
    assert.equal(context.prepared.length, 1);
  });

  it("never calls the model for a request cancelled during the typing pause", async () => {
    const engine = new FakeEngine(() => ["x"]);
    const controller = new AbortController();
    const pending = ask(manager(engine, false, 200), doc("let a = █"), "automatic", controller.signal);
    setTimeout(() => controller.abort(), 20);
    assert.equal(await pending, null);
    assert.equal(engine.calls.length, 0);
  });

  it("calls the model at once when the user asked for a suggestion explicitly", async () => {
    const engine = new FakeEngine(() => ["x;"]);
    // A debounce far longer than any stall of a loaded machine: waiting for it, not the machine, breaks the bound.
    const rm = manager(engine, false, 60_000);
    const started = Date.now();
    await ask(rm, doc("let a = █"), "invoked");
    assert.ok(Date.now() - started < 30_000, "an invoked request skips the 60 s debounce");
  });

  it("aborts the older generation in the engine when the cursor moves elsewhere", async () => {
    const engine = new FakeEngine((p) => (p.prefix.includes("first") ? Array.from({ length: 200 }, () => "z") : ["done;"]), 10);
    const rm = manager(engine);
    const older = ask(rm, doc("first █"));
    await new Promise((resolve) => setTimeout(resolve, 80));
    const newer = await ask(rm, doc("second █"));
    assert.equal(newer?.text, "done;");
    assert.equal(engine.calls[0]?.aborted, true);
    assert.ok((engine.calls[0]?.chunksSent ?? 0) < 200);
    assert.equal(await older, null);
  });

  it("keeps streaming a generation when the new text continues what it has written", async () => {
    const engine = new FakeEngine(() => ["ret", "urn", " total", ";"], 20);
    const rm = manager(engine, false, 0);
    const first = new AbortController();
    const pending = ask(rm, doc("function f() { █"), "automatic", first.signal);
    await new Promise((resolve) => setTimeout(resolve, 70));
    first.abort(); // VS Code cancels the old request on the next keystroke
    const next = await ask(rm, doc("function f() { re█"));
    assert.equal(next?.text, "turn total;");
    assert.equal(next?.source, "in-flight");
    assert.equal(engine.calls.length, 1);
    assert.equal(await pending, null);
  });

  it("stops waiting on a generation joined before it wrote anything once it writes something else", async () => {
    // The first call takes a while to start streaming and then writes 1,000 chunks (20 s); the text typed meanwhile
    // ("r") is not what it writes ("z"), so the second request must not wait for all of it.
    const engine = new FakeEngine((p) => (p.prefix.endsWith("r") ? ["eturn;"] : Array.from({ length: 1000 }, () => "z")), 20);
    const rm = manager(engine, false, 0);
    const first = new AbortController();
    void ask(rm, doc("function f() { █"), "automatic", first.signal);
    await new Promise((resolve) => setTimeout(resolve, 5));
    first.abort(); // the next keystroke, before the first chunk
    const started = Date.now();
    const next = await ask(rm, doc("function f() { r█"));
    assert.equal(next?.text, "eturn;");
    assert.equal(engine.calls.length, 2);
    assert.equal(engine.calls[0]?.aborted, true);
    assert.ok((engine.calls[0]?.chunksSent ?? 0) < 50, "the diverged generation was stopped early");
    assert.ok(Date.now() - started < 10_000, "the request did not wait for the whole diverged generation");
  });

  it("starts a new generation when the user types well ahead of one that has written nothing yet", async () => {
    // The first call is slow to start (a long prompt); the typist outruns it by a whole word.
    const engine = new FakeEngine((p) => (p.prefix.endsWith("results") ? ["();"] : ["results", "();"]), 150);
    const rm = manager(engine, false, 0);
    const first = new AbortController();
    void ask(rm, doc("const r = █"), "automatic", first.signal);
    await new Promise((resolve) => setTimeout(resolve, 5));
    first.abort();
    const next = await ask(rm, doc("const r = results█"));
    assert.equal(next?.source, "model");
    assert.equal(engine.calls.length, 2);
    assert.equal(engine.calls[0]?.aborted, true);
  });

  it("returns nothing at once for a request cancelled before it waits on a generation", async () => {
    // A generation of 10 s: a request that waited on it, not a loaded machine, breaks the bound.
    const engine = new FakeEngine(() => Array.from({ length: 1000 }, () => "y"), 10);
    const rm = manager(engine, false, 0);
    const controller = new AbortController();
    controller.abort();
    const started = Date.now();
    assert.equal(await ask(rm, doc("let y = █"), "invoked", controller.signal), null);
    assert.ok(Date.now() - started < 5_000, `answered after ${Date.now() - started} ms`);
  });

  it("stops a generation nobody waits for after a short grace", async () => {
    const engine = new FakeEngine(() => Array.from({ length: 100 }, () => "y"), 10);
    const rm = manager(engine, false, 0);
    const controller = new AbortController();
    const pending = ask(rm, doc("let y = █"), "automatic", controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort();
    await pending;
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(engine.calls[0]?.aborted, true);
  });

  it("prefetches the next suggestion after an accept so it is ready without a new model call", async () => {
    const engine = new FakeEngine(() => ["next();"]);
    const rm = manager(engine);
    const after = doc("first();\n█");
    rm.prefetch(after);
    const suggestion = await ask(rm, after);
    assert.equal(suggestion?.text, "next();");
    assert.ok(suggestion?.source === "prefetch" || suggestion?.source === "cache");
    assert.equal(engine.calls.length, 1);
  });

  it("stops the model as soon as the suggestion repeats the code after the cursor", async () => {
    const engine = new FakeEngine(() => ["  return a + b;\n", "}\n", "\n", "export function", " more() {}\n"], 5);
    const rm = manager(engine, true);
    const suggestion = await ask(rm, doc("function add(a: number, b: number) {\n█\n}\n"));
    assert.equal(suggestion?.text, "  return a + b;");
    assert.equal(engine.calls[0]?.aborted, true);
  });

  it("returns no suggestion, and does not throw, when the engine fails", async () => {
    const engine = new FakeEngine(() => []);
    engine.infill = () => Promise.reject(new Error("engine exploded"));
    assert.equal(await ask(manager(engine), doc("x█")), null);
  });
});

describe("RequestManager with a saving switched off", () => {
  it("typedThrough off: typing through a suggestion asks the model again", async () => {
    const engine = new FakeEngine((p) => [p.prefix.endsWith("ite") ? "ms.size;" : "items.length;"]);
    const rm = manager(engine, false, 30, { typedThrough: false });
    await ask(rm, doc("const n = █\n"));
    const next = await ask(rm, doc("const n = ite█\n"));
    assert.equal(next?.text, "ms.size;");
    assert.equal(next?.source, "model");
    assert.equal(engine.calls.length, 2);
  });

  it("cache off: a position seen before is generated again", async () => {
    const engine = new FakeEngine(() => ["a + b;"]);
    const rm = manager(engine, false, 30, { cache: false });
    await ask(rm, doc("const sum = █\n"));
    rm.forgetShown();
    await ask(rm, doc("const other = █\n"));
    const again = await ask(rm, doc("const sum = █\n"));
    assert.equal(again?.source, "model");
    assert.equal(engine.calls.length, 3);
  });

  it("inFlightReuse off: a generation the new text continues is aborted and a new one started", async () => {
    const engine = new FakeEngine(() => ["ret", "urn", " total", ";"], 20);
    const rm = manager(engine, false, 0, { inFlightReuse: false });
    const first = new AbortController();
    const pending = ask(rm, doc("function f() { █"), "automatic", first.signal);
    await new Promise((resolve) => setTimeout(resolve, 70));
    first.abort();
    const next = await ask(rm, doc("function f() { re█"));
    assert.equal(next?.source, "model");
    assert.equal(engine.calls.length, 2);
    assert.equal(engine.calls[0]?.aborted, true);
    assert.equal(await pending, null);
  });

  it("inFlightReuse off still waits for a prefetch under way (that is the prefetch's saving)", async () => {
    const engine = new FakeEngine(() => ["next();"], 20);
    const rm = manager(engine, false, 30, { inFlightReuse: false });
    const after = doc("first();\n█");
    rm.prefetch(after);
    const suggestion = await ask(rm, after);
    assert.equal(suggestion?.source, "prefetch");
    assert.equal(engine.calls.length, 1);
  });

  it("prefetch off: an accept starts no model call; the next request makes its own", async () => {
    const engine = new FakeEngine(() => ["next();"]);
    const rm = manager(engine, false, 30, { prefetch: false });
    const after = doc("first();\n█");
    rm.prefetch(after);
    assert.equal(engine.calls.length, 0);
    const suggestion = await ask(rm, after);
    assert.equal(suggestion?.source, "model");
    assert.equal(engine.calls.length, 1);
  });
});

describe("AdaptiveDebounce", () => {
  it("waits less for a fast typist than for a slow one, within its bounds", () => {
    let now = 0;
    const fast = new AdaptiveDebounce({ minMs: 40, maxMs: 350, factor: 1.5, pauseMs: 1500 }, () => now);
    for (let i = 0; i < 20; i++) {
      now += 60;
      fast.keystroke();
    }
    now = 0;
    const slow = new AdaptiveDebounce({ minMs: 40, maxMs: 350, factor: 1.5, pauseMs: 1500 }, () => now);
    for (let i = 0; i < 20; i++) {
      now += 200;
      slow.keystroke();
    }
    assert.ok(fast.delayMs() < slow.delayMs());
    assert.ok(fast.delayMs() >= 40 && slow.delayMs() <= 350);
  });

  it("shows the rest of a suggestion typed through in a document known only by windows that moved with the cursor", async () => {
    const engine = new FakeEngine(() => ["items.length;"]);
    const rm = manager(engine);
    const big = "// filler line\n".repeat(200_000);
    /** The document `big + before█\nafter`, as a window starting `back` characters before the cursor. */
    const windowed = (typed: string, back: number): DocumentSnapshot => {
      const text = big + "const n = " + typed + "\nconsole.log(n);\n";
      const offset = big.length + 10 + typed.length;
      const start = offset - back;
      return { uri: "file:///w/big.ts", languageId: "typescript", text: text.slice(start, offset + 5000), offset: back, window: { start, documentLength: text.length } };
    };
    await ask(rm, windowed("", 50_000));
    const next = await ask(rm, windowed("ite", 40_000));
    assert.equal(next?.text, "ms.length;");
    assert.equal(next?.source, "typed-through");
    const other = await ask(rm, windowed("x", 50_000));
    assert.equal(other?.source, "model");
    assert.equal(engine.calls.length, 2);
  });

  it("does not learn from pauses between bursts of typing", () => {
    let now = 0;
    const debounce = new AdaptiveDebounce({ minMs: 40, maxMs: 350, factor: 1.5, pauseMs: 1500 }, () => now);
    for (let i = 0; i < 10; i++) {
      now += 80;
      debounce.keystroke();
    }
    const before = debounce.delayMs();
    now += 10_000;
    debounce.keystroke();
    assert.equal(debounce.delayMs(), before);
  });
});

describe("RequestManager with the default debounce", () => {
  /** Resolves once `check` holds, looking again after every timer tick (the manager's own timers drive it). */
  const until = async (check: () => boolean) => {
    while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
  };

  it("asks the model at the keystroke when no wait would save a call (before any typing rhythm is known)", async () => {
    const engine = new FakeEngine(() => ["b;"]);
    const rm = new RequestManager({ engine, context: new FakeContext(), logger: silentLogger });
    const controller = new AbortController();
    void rm.provide({ snapshot: doc("const a = █"), triggerKind: "automatic", signal: controller.signal });
    // Only promise callbacks run before setImmediate's: a wait of any length would be a timer still pending here.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(engine.calls.length, 1);
    assert.equal(engine.calls[0]!.params.prefix, "const a = ");
    controller.abort();
    rm.dispose();
  });

  it("assembles no context and calls no model for a key whose request VS Code cancelled before the call could start", async () => {
    const engine = new FakeEngine(() => ["b;"]);
    const context = new FakeContext();
    const rm = new RequestManager({ engine, context, logger: silentLogger }, { orphanGraceMs: 0 });
    const controller = new AbortController();
    const pending = rm.provide({ snapshot: doc("const a = █"), triggerKind: "automatic", signal: controller.signal });
    // The next key comes in the same turn of the event loop (a burst VS Code delivers at once).
    controller.abort();
    assert.equal(await pending, null);
    // A call started anyway would have assembled its context and reached the engine in promise callbacks by now.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(context.assembled, 0);
    assert.equal(engine.calls.length, 0);
    rm.dispose();
  });

  it("cancels the model call a slow typist's pause started when their next key changes the text, leaving one call running", async () => {
    const engine = new FakeEngine(() => ["foo", ...Array.from({ length: 400 }, () => "o")], 20);
    const rm = new RequestManager({ engine, context: new FakeContext(), logger: silentLogger });
    const first = new AbortController();
    void rm.provide({ snapshot: doc("const a = █;"), triggerKind: "automatic", signal: first.signal });
    await until(() => engine.calls[0]?.chunksSent === 1);
    // VS Code cancels the request on the next key; the key types something the model did not write.
    first.abort();
    const second = new AbortController();
    void rm.provide({ snapshot: doc("const a = b█;"), triggerKind: "automatic", signal: second.signal });
    assert.equal(engine.calls[0]!.aborted, true, "the next key aborts the call at once, not after its pause");
    await until(() => engine.calls.length === 2);
    assert.equal(engine.calls[1]!.aborted, false);
    assert.equal(engine.calls[1]!.params.prefix, "const a = b");
    second.abort();
    rm.dispose();
    await until(() => engine.calls[1]!.aborted);
  });
});
