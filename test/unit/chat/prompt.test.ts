import { strict as assert } from "node:assert";
import { cutLines, planPrompt, prefillMessages, type ContextPiece } from "../../../src/chat/prompt";
import { estimateTokens } from "../../../src/context/token-estimate";

const SYSTEM = "You are a test.";
const lines = (n: number, prefix = "line") => Array.from({ length: n }, (_, i) => `${prefix} ${i + 1} of the file with some text`).join("\n");
const piece = (id: string, kind: ContextPiece["kind"], text: string): ContextPiece => ({ id, kind, label: `${id}.ts`, detail: `src/${id}.ts`, languageId: "typescript", text });

describe("chat prompt planning and trimming", () => {
  it("sends everything, in order, when it fits", () => {
    const plan = planPrompt({
      system: SYSTEM,
      pieces: [piece("file", "file", "export const a = 1;"), piece("selection", "selection", "a")],
      history: [
        { role: "user", content: "first" },
        { role: "assistant", content: "answer" },
      ],
      question: "and now?",
      limitTokens: 4000,
    });
    assert.deepEqual(plan.messages.map((m) => m.role), ["system", "user", "assistant", "user"]);
    const last = plan.messages[3]!.content;
    assert.ok(last.endsWith("and now?"));
    assert.ok(last.indexOf("Selected code from src/selection.ts") < last.indexOf("File src/file.ts"), "the selection goes first");
    assert.ok(last.includes("```typescript\nexport const a = 1;\n```"));
    assert.deepEqual(plan.trimmed, []);
    assert.equal(plan.droppedMessages, 0);
    assert.deepEqual(plan.pieces.map((p) => p.id), ["file", "selection"], "reports keep the chips' order");
    assert.ok(plan.pieces.every((p) => p.sentTokens === p.tokens));
  });

  it("cuts a file that does not fit at a line boundary and says so", () => {
    const text = lines(400);
    const plan = planPrompt({ system: SYSTEM, pieces: [piece("file", "file", text)], history: [], question: "explain", limitTokens: 1000 });
    const report = plan.pieces[0]!;
    assert.ok(report.sentTokens < report.tokens && report.sentTokens > 0);
    assert.ok(plan.usedTokens <= 1000, `used ${plan.usedTokens}`);
    assert.match(plan.contextText, /… \(\d+ more line\(s\) not shown\)/);
    assert.match(plan.trimmed.join(" "), /file\.ts cut to its first \d+ lines: \d+ lines did not fit/);
    // Only whole lines were kept.
    const body = plan.contextText.split("```typescript\n")[1]!.split("\n```")[0]!;
    for (const line of body.split("\n")) assert.match(line, /^line \d+ of the file with some text$/);
  });

  it("leaves a piece out entirely when almost nothing of it would fit", () => {
    const plan = planPrompt({
      system: SYSTEM,
      pieces: [piece("selection", "selection", lines(300)), piece("file", "file", lines(300))],
      history: [],
      question: "q",
      limitTokens: 600,
    });
    const file = plan.pieces.find((p) => p.id === "file")!;
    assert.equal(file.sentTokens, 0);
    assert.match(plan.trimmed.join(" "), /file\.ts left out/);
    assert.ok(plan.usedTokens <= 600);
  });

  it("drops the oldest history first, counts it, and never starts the history with an answer", () => {
    const history = Array.from({ length: 300 }, (_, i) => ({ role: (i % 2 === 0 ? "user" : "assistant") as "user" | "assistant", content: `message ${i} ${"word ".repeat(20)}` }));
    const plan = planPrompt({ system: SYSTEM, pieces: [], history, question: "latest", limitTokens: 2000 });
    assert.ok(plan.droppedMessages > 0 && plan.droppedMessages < 300);
    const sent = plan.messages.slice(1, -1);
    assert.equal(sent[0]!.role, "user");
    assert.equal(sent[sent.length - 1]!.content, history[299]!.content, "the newest message is kept");
    assert.equal(sent.length + plan.droppedMessages, 300);
    assert.match(plan.trimmed.join(" "), new RegExp(`${plan.droppedMessages} older messages not sent`));
    assert.ok(plan.usedTokens <= 2000);
  });

  it("says how many older messages are not sent in plain English: one message, two messages", () => {
    const turn = (role: "user" | "assistant", i: number) => ({ role, content: `message ${i} ${"word ".repeat(60)}` });
    // Room for the newest two messages only. A question whose answer never came (stopped before any text) leaves two
    // questions in a row, so one message can be dropped; a whole older exchange is two.
    const histories = [
      [turn("user", 0), turn("user", 1), turn("assistant", 2)],
      [turn("user", 0), turn("assistant", 1), turn("user", 2), turn("assistant", 3)],
    ];
    const sentences = histories.map((history) => {
      const plan = planPrompt({ system: SYSTEM, pieces: [], history, question: "latest", limitTokens: 260 });
      return { dropped: plan.droppedMessages, text: plan.trimmed.join(" ") };
    });
    assert.deepEqual(sentences.map((s) => s.dropped), [1, 2]);
    assert.match(sentences[0]!.text, /^1 older message not sent: /);
    assert.match(sentences[1]!.text, /^2 older messages not sent: /);
    assert.doesNotMatch(sentences.map((s) => s.text).join(" "), /\(s\)/);
  });

  it("keeps room for the last exchange even with a large file attached", () => {
    const plan = planPrompt({
      system: SYSTEM,
      pieces: [piece("file", "file", lines(2000))],
      history: [
        { role: "user", content: "What does it do?" },
        { role: "assistant", content: "It adds numbers." },
      ],
      question: "Why?",
      limitTokens: 1500,
    });
    assert.equal(plan.droppedMessages, 0);
    assert.equal(plan.messages.length, 4);
  });

  it("cuts a question that is larger than the whole window", () => {
    const plan = planPrompt({ system: SYSTEM, pieces: [], history: [], question: "x ".repeat(20_000), limitTokens: 500 });
    assert.ok(plan.usedTokens <= 500 + 10, `used ${plan.usedTokens}`);
    assert.match(plan.trimmed[0]!, /question was longer/);
  });

  it("re-sends a stored context block for Regenerate instead of the current chips", () => {
    const plan = planPrompt({ system: SYSTEM, pieces: [piece("file", "file", "NEW")], contextText: "OLD CONTEXT", history: [], question: "q", limitTokens: 1000 });
    assert.equal(plan.messages[1]!.content, "OLD CONTEXT\n\nq");
  });

  it("uses a longer fence when the code itself holds a fence", () => {
    const plan = planPrompt({ system: SYSTEM, pieces: [piece("file", "file", "text\n```js\nx\n```\n")], history: [], question: "q", limitTokens: 1000 });
    assert.ok(plan.contextText.includes("````typescript\n"));
  });

  describe("layout for KV-cache reuse", () => {
    /** ChatML, as Qwen's template renders it: what the engine tokenizes, with the assistant's turn opened. */
    const chatml = (messages: readonly { role: string; content: string }[]) =>
      messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join("") + "<|im_start|>assistant\n";

    it("a follow-up's prompt starts with the previous request's prompt text", () => {
      const first = planPrompt({ system: SYSTEM, pieces: [piece("file", "file", lines(20))], history: [], question: "What does it do?", limitTokens: 4000 });
      const followUp = planPrompt({
        system: SYSTEM,
        pieces: [piece("file", "file", lines(20))],
        history: [
          { role: "user", content: "What does it do?", context: first.contextText },
          { role: "assistant", content: "It counts lines." },
        ],
        question: "Why?",
        limitTokens: 4000,
      });
      assert.deepEqual(followUp.messages.slice(0, first.messages.length), first.messages);
      const before = chatml(first.messages);
      const after = chatml(followUp.messages);
      assert.ok(after.startsWith(before.slice(0, before.lastIndexOf("<|im_start|>assistant"))), "the earlier turns are a stable prefix");
      assert.ok(after.startsWith(`${before}It counts lines.<|im_end|>`), "the answer follows the prompt it was generated from");
    });

    it("keeps an earlier question's context in front of that question", () => {
      const plan = planPrompt({
        system: SYSTEM,
        pieces: [],
        history: [
          { role: "user", content: "one", context: "CONTEXT ONE" },
          { role: "assistant", content: "a" },
        ],
        question: "two",
        limitTokens: 1000,
      });
      assert.deepEqual(plan.messages.map((m) => m.content), [SYSTEM, "CONTEXT ONE\n\none", "a", "two"]);
    });

    it("does not send a piece again when an earlier question still in the prompt carries the same text", () => {
      const file = piece("file", "file", lines(20));
      const first = planPrompt({ system: SYSTEM, pieces: [file], history: [], question: "q1", limitTokens: 4000 });
      const followUp = planPrompt({
        system: SYSTEM,
        pieces: [file],
        history: [
          { role: "user", content: "q1", context: first.contextText },
          { role: "assistant", content: "a1" },
        ],
        question: "q2",
        limitTokens: 4000,
      });
      assert.equal(followUp.contextText, "");
      assert.equal(followUp.messages.at(-1)!.content, "q2");
      assert.deepEqual(followUp.pieces, [{ id: "file", tokens: first.pieces[0]!.tokens, sentTokens: first.pieces[0]!.tokens, inHistory: true }]);
    });

    it("sends a changed piece with the new question and leaves the earlier version where it was", () => {
      const first = planPrompt({ system: SYSTEM, pieces: [piece("file", "file", "const a = 1;")], history: [], question: "q1", limitTokens: 4000 });
      const followUp = planPrompt({
        system: SYSTEM,
        pieces: [piece("file", "file", "const a = 2;")],
        history: [
          { role: "user", content: "q1", context: first.contextText },
          { role: "assistant", content: "a1" },
        ],
        question: "q2",
        limitTokens: 4000,
      });
      assert.equal(followUp.messages[1]!.content, first.messages[1]!.content);
      assert.match(followUp.messages.at(-1)!.content, /const a = 2;\n```\n\nq2$/);
      assert.equal(followUp.pieces[0]!.inHistory, undefined);
    });

    it("sends a piece again when the earlier question that carried it no longer fits", () => {
      const file = piece("file", "file", lines(40));
      const first = planPrompt({ system: SYSTEM, pieces: [file], history: [], question: "q1", limitTokens: 4000 });
      const filler = Array.from({ length: 40 }, (_, i) => ({ role: (i % 2 === 0 ? "user" : "assistant") as "user" | "assistant", content: `message ${i} ${"word ".repeat(30)}` }));
      const history = [{ role: "user" as const, content: "q1", context: first.contextText }, { role: "assistant" as const, content: "a1" }, ...filler];
      const plan = planPrompt({ system: SYSTEM, pieces: [file], history, question: "q2", limitTokens: 2000 });
      assert.ok(plan.droppedMessages >= 2, `dropped ${plan.droppedMessages}`);
      assert.ok(plan.messages.every((m) => m.content !== first.messages[1]!.content), "the turn that carried the file is not sent");
      assert.equal(plan.contextText, first.contextText, "the file goes with the new question instead");
      assert.equal(plan.pieces[0]!.inHistory, undefined);
      assert.ok(plan.usedTokens <= 2000, `used ${plan.usedTokens}`);
    });
  });

  it("cutLines keeps whole leading lines within the budget", () => {
    const r = cutLines("a\nb\nc\nd", estimateTokens("a\nb\n"));
    assert.deepEqual(r, { text: "a\nb", keptLines: 2, droppedLines: 2 });
  });
});

describe("the prompt's known part, evaluated while the question is typed", () => {
  const history = [
    { role: "user" as const, content: "What does it do?", context: "File src/a.ts:\n```typescript\nexport const a = 1;\n```" },
    { role: "assistant" as const, content: "It exports a." },
  ];
  const input = (question: string, pieces: ContextPiece[]) => ({ system: SYSTEM, pieces, history, question, limitTokens: 4000 });

  it("is the prompt the question will be sent in, up to the question, which goes last", () => {
    const pieces = [piece("file", "file", lines(30)), piece("selection", "selection", "line 2")];
    const known = prefillMessages(planPrompt(input("", pieces)));
    const sent = planPrompt(input("And what does line 2 hold?", pieces)).messages;
    assert.deepEqual(known.slice(0, -1), sent.slice(0, -1));
    assert.equal(known.at(-1)!.role, "user");
    assert.equal(`${known.at(-1)!.content}And what does line 2 hold?`, sent.at(-1)!.content);
    assert.ok(known.at(-1)!.content.endsWith("```\n\n"), "the context block and its separator are known");
  });

  it("cuts a context that does not fit the same way for a short question as for none", () => {
    const pieces = [piece("file", "file", lines(400))];
    const known = planPrompt({ ...input("", pieces), limitTokens: 1200 });
    const sent = planPrompt({ ...input("Why does line 3 of the file say so little about anything at all?", pieces), limitTokens: 1200 });
    assert.ok(known.trimmed.length > 0, "the file was cut");
    assert.equal(known.contextText, sent.contextText);
    assert.equal(`${prefillMessages(known).at(-1)!.content}Why does line 3 of the file say so little about anything at all?`, sent.messages.at(-1)!.content);
  });

  it("ends with an empty user message when no new context goes with the question", () => {
    const known = prefillMessages(planPrompt(input("", [])));
    assert.deepEqual(known.at(-1), { role: "user", content: "" });
    assert.deepEqual(known.slice(0, -1), planPrompt(input("Why?", [])).messages.slice(0, -1));
  });
});
