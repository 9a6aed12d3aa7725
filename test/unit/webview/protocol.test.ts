import { strict as assert } from "node:assert";
import { LIMITS, parseHostMessage, parseWebviewMessage, PROTOCOL_VERSION, type HostToWebview, type WebviewToHost } from "../../../src/webview/protocol";

describe("chat webview protocol", () => {
  describe("messages from the webview", () => {
    const valid: WebviewToHost[] = [
      { type: "ready", version: PROTOCOL_VERSION },
      { type: "send", text: "What does add do?" },
      { type: "stop" },
      { type: "regenerate" },
      { type: "attachFile" },
      { type: "edit", entryId: "e-1234", text: "again" },
      { type: "removeChip", chipId: "attached-2" },
      { type: "openChip", chipId: "codebase-1" },
      { type: "code", action: "apply", entryId: "e-1", code: "x", language: "ts" },
      { type: "code", action: "copy", entryId: "e-1", code: "", language: "" },
      { type: "openLink", href: "https://example.com/docs?a=1" },
      { type: "command", command: "chooseModel" },
      { type: "problem", text: "Code in the chat is shown without syntax highlighting" },
      { type: "slash", name: "edit", text: "rename x to count" },
      { type: "slash", name: "security-review.v2", text: "" },
    ];
    for (const message of valid) {
      it(`accepts ${JSON.stringify(message).slice(0, 70)}`, () => assert.deepEqual(parseWebviewMessage(message), message));
    }

    const invalid: [string, unknown][] = [
      ["null", null],
      ["a string", "send"],
      ["an array", [{ type: "stop" }]],
      ["an unknown type", { type: "runCommand", command: "workbench.action.terminal.new" }],
      ["an extra property", { type: "stop", force: true }],
      ["a question that is not a string", { type: "send", text: 42 }],
      ["an empty question", { type: "send", text: "   " }],
      ["a question over the limit", { type: "send", text: "x".repeat(LIMITS.text + 1) }],
      ["an entry id with odd characters", { type: "edit", entryId: "../../etc/passwd", text: "x" }],
      ["an unknown code action", { type: "code", action: "run", entryId: "e-1", code: "rm -rf /", language: "sh" }],
      ["a code action without language", { type: "code", action: "insert", entryId: "e-1", code: "x" }],
      ["a javascript: link", { type: "openLink", href: "javascript:alert(1)" }],
      ["a command: link", { type: "openLink", href: "command:workbench.action.terminal.new" }],
      ["a file: link", { type: "openLink", href: "file:///etc/passwd" }],
      ["a link with spaces", { type: "openLink", href: "https://a b" }],
      ["a command outside the allow-list", { type: "command", command: "workbench.action.terminal.new" }],
      ["a ready without version", { type: "ready" }],
      ["a problem report over the limit", { type: "problem", text: "x".repeat(LIMITS.problem + 1) }],
      ["a prototype-polluting key", JSON.parse('{"type":"stop","__proto__":{"x":1}}')],
      ["a chip to open named by a path", { type: "openChip", chipId: "/etc/passwd" }],
      ["a chip to open with a path beside its id", { type: "openChip", chipId: "codebase-1", path: "/etc/passwd", startLine: 0 }],
      ["a chip to open with a file: URI for an id", { type: "openChip", chipId: "file:///etc/passwd" }],
    ];
    for (const [what, message] of invalid) {
      it(`rejects ${what}`, () => assert.equal(parseWebviewMessage(message), null));
    }
  });

  describe("messages from the extension", () => {
    const valid: HostToWebview[] = [
      {
        type: "conversation",
        conversation: { id: "c-1", title: "t", streamingId: "e-2", entries: [{ id: "e-1", role: "user", content: "q", status: "done", context: ["math.ts"] }, { id: "e-2", role: "assistant", content: "", status: "streaming" }] },
      },
      { type: "append", entryId: "e-2", text: "chunk" },
      { type: "entry", entry: { id: "e-2", role: "assistant", content: "a", status: "stopped", note: "Stopped." }, streamingId: null },
      {
        type: "context",
        context: {
          chips: [{ id: "file", kind: "file", label: "math.ts", detail: "src/math.ts", tokens: 100, sentTokens: 50 }],
          budget: { used: 120, limit: 3072, estimated: true, droppedMessages: 0, trimmed: ["math.ts cut"] },
        },
      },
      { type: "model", model: { state: "ready", label: "scripted · ready", warning: "no template" } },
      { type: "history", items: [{ id: "c-1", title: "t", updatedAt: 1, messages: 2 }], currentId: "c-1" },
      { type: "notice", level: "error", text: "boom" },
      { type: "focus", draft: "hi" },
      { type: "mention", mention: "codebase" },
      { type: "focus" },
    ];
    for (const message of valid) {
      it(`accepts ${message.type}`, () => assert.deepEqual(parseHostMessage(message), message));
    }
    it("rejects an entry with an unknown role or status", () => {
      assert.equal(parseHostMessage({ type: "entry", entry: { id: "e", role: "system", content: "", status: "done" }, streamingId: null }), null);
      assert.equal(parseHostMessage({ type: "entry", entry: { id: "e", role: "user", content: "", status: "weird" }, streamingId: null }), null);
    });
    it("rejects a mention other than @codebase, or one with more fields", () => {
      assert.equal(parseHostMessage({ type: "mention", mention: "files" }), null);
      assert.equal(parseHostMessage({ type: "mention", mention: "codebase", text: "rm -rf /" }), null);
    });
    it("rejects a chip with negative tokens and an unknown notice level", () => {
      assert.equal(
        parseHostMessage({ type: "context", context: { chips: [{ id: "a", kind: "file", label: "", detail: "", tokens: -1, sentTokens: 0 }], budget: { used: 0, limit: 0, estimated: true, droppedMessages: 0, trimmed: [] } } }),
        null,
      );
      assert.equal(parseHostMessage({ type: "notice", level: "panic", text: "x" }), null);
    });
    it("accepts a budget with the project rules' tokens and files, and rejects rules that are not counts and names", () => {
      const budget = { used: 10, limit: 100, estimated: false, droppedMessages: 0, trimmed: [] };
      const context = (rules: unknown) => ({ type: "context", context: { chips: [], budget: { ...budget, rules } } });
      assert.notEqual(parseHostMessage(context({ tokens: 12, files: ["AGENTS.md"] })), null);
      assert.equal(parseHostMessage(context({ tokens: -1, files: [] })), null);
      assert.equal(parseHostMessage(context({ tokens: 1, files: [{ toString: "x" }] })), null);
      assert.equal(parseHostMessage(context("AGENTS.md")), null);
    });
  });

  describe("slash commands and display settings", () => {
    it("refuses a slash command name that is not a plain name: a path, spaces, control characters, too long", () => {
      for (const name of ["", "../x", "a/b", "hearth fix", " fix", "fix\n", "-x", "a..b", "x".repeat(65), 42, null]) {
        assert.equal(parseWebviewMessage({ type: "slash", name, text: "" }), null, JSON.stringify(name));
      }
      assert.equal(parseWebviewMessage({ type: "slash", name: "fix" }), null, "the text is required");
      assert.equal(parseWebviewMessage({ type: "slash", name: "fix", text: "", command: "hearth.fix" }), null, "no extra keys");
      assert.equal(parseWebviewMessage({ type: "slash", name: "edit", text: "x".repeat(LIMITS.text + 1) }), null);
    });

    it("accepts the host's list of slash commands only when every entry is well formed, and copies only their fields", () => {
      const commands = [{ name: "explain", description: "Explain", argument: "" }];
      assert.deepEqual(parseHostMessage({ type: "slashCommands", commands }), { type: "slashCommands", commands });
      assert.equal(parseHostMessage({ type: "slashCommands", commands: [{ name: "../x", description: "", argument: "" }] }), null);
      assert.equal(parseHostMessage({ type: "slashCommands", commands: [{ name: "x", description: "d".repeat(LIMITS.slashDescription + 1), argument: "" }] }), null);
      assert.equal(parseHostMessage({ type: "slashCommands", commands: [{ name: "x", description: "", argument: "", onclick: "alert(1)" }] }), null);
      const many = Array.from({ length: LIMITS.slashCommands + 1 }, (_, i) => ({ name: `p${i}`, description: "", argument: "" }));
      assert.equal(parseHostMessage({ type: "slashCommands", commands: many }), null);
    });

    it("accepts the display settings only as one boolean", () => {
      assert.deepEqual(parseHostMessage({ type: "display", display: { wrapCode: true } }), { type: "display", display: { wrapCode: true } });
      for (const display of [{ wrapCode: "on" }, {}, { wrapCode: true, extra: 1 }, null, "wrap"]) assert.equal(parseHostMessage({ type: "display", display }), null, JSON.stringify(display));
    });
  });
});
