import { strict as assert } from "node:assert";
import { CHAT_ID_MAX_LENGTH, isChatId, isConversationSummary, isShownEntry, toShownEntry } from "../../../src/chat/chat-types";

describe("chat data types", () => {
  it("leaves the sent context text and the time out of what the user sees of an entry", () => {
    const entry = toShownEntry({ id: "e-1", role: "user", content: "q", status: "done", context: ["a.ts"], contextText: "secret file text", createdAt: 0 });
    assert.deepEqual(entry, { id: "e-1", role: "user", content: "q", status: "done", context: ["a.ts"] });
    assert.ok(isShownEntry(entry));
  });

  it("accepts ids of letters, digits, dots, colons and dashes up to the length limit, and nothing else", () => {
    assert.ok(isChatId("c-0f3e.x:1_a"));
    assert.ok(isChatId("e".repeat(CHAT_ID_MAX_LENGTH)));
    for (const bad of ["", "e".repeat(CHAT_ID_MAX_LENGTH + 1), "../etc", "a b", "<img>", 7, null]) assert.equal(isChatId(bad), false, String(bad));
  });

  it("refuses an entry with an unknown role or status, a bad id, or a note or context that is not text", () => {
    const good = { id: "e-1", role: "assistant", content: "hi", status: "streaming" };
    assert.ok(isShownEntry(good));
    for (const bad of [{ role: "system" }, { status: "pending" }, { id: "e/1" }, { content: 3 }, { note: 1 }, { context: "a.ts" }, { context: [1] }])
      assert.equal(isShownEntry({ ...good, ...bad }), false, JSON.stringify(bad));
    assert.equal(isShownEntry([good]), false);
  });

  it("accepts a history item only with an id, a title, a finite time and a whole message count", () => {
    const good = { id: "c-1", title: "t", updatedAt: 1, messages: 2 };
    assert.ok(isConversationSummary(good));
    for (const bad of [{ id: "" }, { title: null }, { updatedAt: Infinity }, { messages: -1 }, { messages: 1.5 }])
      assert.equal(isConversationSummary({ ...good, ...bad }), false, JSON.stringify(bad));
  });
});
