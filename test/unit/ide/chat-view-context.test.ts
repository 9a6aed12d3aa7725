// The chat's budget line below the editor: once it shows the model's own count, a new question or answer does not turn
// it back into an estimate while the model is still counting, however long the engine takes.
import { strict as assert } from "node:assert";
import type { ChatBudget } from "../../../src/chat/chat-session";
import type { PromptPlan } from "../../../src/chat/prompt";
import { ChatContextLine, type ChatTokenCounts } from "../../../src/ide/chat-view-context";
import type { ViewContext } from "../../../src/webview/protocol";

/** A token counter whose counts end when the test says, each one counting every line queued so far or none. */
class SlowCounter implements ChatTokenCounts {
  estimatedLines = 0;
  /** Lines the model has not counted: each weighing of them is an estimate. */
  uncounted = false;
  private pending: { resolve: (counted: boolean) => void; promise: Promise<boolean> } | undefined;

  /** What ChatSession.preview does through ModelTokenCounter: a line the model has not counted is estimated. */
  weigh(): void {
    if (this.uncounted) this.estimatedLines++;
  }

  /** New lines the model has not counted: the line is estimated until the count ends. */
  newLines(): void {
    this.uncounted = true;
    let resolve!: (counted: boolean) => void;
    const promise = new Promise<boolean>((r) => (resolve = r));
    this.pending = { resolve, promise };
  }

  /** The count ends: counted, the lines are the model's from now on. */
  finish(counted: boolean): void {
    const pending = this.pending;
    this.pending = undefined;
    if (counted) this.uncounted = false;
    pending?.resolve(counted);
  }

  settled(): Promise<boolean> {
    return this.pending?.promise ?? Promise.resolve(false);
  }
}

function line(counter: SlowCounter, posted: ViewContext["budget"][]) {
  const budget: ChatBudget = { windowTokens: 4096, limitTokens: 3072, maxAnswerTokens: 1024 } as ChatBudget;
  let used = 100;
  const plan = (): PromptPlan => {
    counter.weigh();
    return { usedTokens: used, pieces: [], droppedMessages: 0, trimmed: [] } as unknown as PromptPlan;
  };
  const contextLine = new ChatContextLine({
    session: { preview: plan },
    context: { pieces: () => Promise.resolve([]) },
    tokens: counter,
    budget: () => budget,
    isReady: () => true,
    post: (context) => posted.push(context.budget),
    recountWaitMs: 5,
  });
  return { contextLine, grow: () => (used += 50) };
}

/** Resolves once `posted` holds `count` lines (the line posts from promise callbacks). */
async function postedCount(posted: unknown[], count: number): Promise<void> {
  while (posted.length < count) await new Promise((resolve) => setImmediate(resolve));
}

describe("ChatContextLine", () => {
  it("keeps the model's count on the line while a slow count of new lines runs past the wait, then shows the new count", async () => {
    const counter = new SlowCounter();
    const posted: ViewContext["budget"][] = [];
    const { contextLine, grow } = line(counter, posted);
    await contextLine.post();
    assert.deepEqual(posted.map((b) => b.estimated), [false]);
    grow();
    counter.newLines();
    await contextLine.post();
    // The wait (5 ms here) has passed and the count has not ended: nothing new on the line.
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.deepEqual(posted.map((b) => b.estimated), [false]);
    counter.finish(true);
    await postedCount(posted, 2);
    assert.deepEqual(posted.map((b) => [b.used, b.estimated]), [[100, false], [150, false]]);
  });

  it("shows the estimate once a slow count ends without the model counting, and posts nothing more", async () => {
    const counter = new SlowCounter();
    const posted: ViewContext["budget"][] = [];
    const { contextLine, grow } = line(counter, posted);
    await contextLine.post();
    grow();
    counter.newLines();
    await contextLine.post();
    await new Promise((resolve) => setTimeout(resolve, 30));
    counter.finish(false);
    await postedCount(posted, 2);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.deepEqual(posted.map((b) => [b.used, b.estimated]), [[100, false], [150, true]]);
  });
});
