import { strict as assert } from "node:assert";
import { planApply } from "../../../src/chat/apply-plan";
import { createConversation } from "../../../src/chat/conversation";
import { exportFileName, exportMarkdown } from "../../../src/chat/export-markdown";

const apply = (doc: string, code: string, selection?: { start: number; end: number }) => {
  const plan = planApply(doc, code, selection);
  return { text: doc.slice(0, plan.start) + plan.newText + doc.slice(plan.end), summary: plan.summary };
};

describe("chat export as Markdown", () => {
  it("writes questions, context, answers and notes, and closes a fence a stopped answer left open", () => {
    const c = createConversation();
    c.title = "Add two numbers";
    c.entries.push(
      { id: "e-1", role: "user", content: "Write add", status: "done", context: ["math.ts:1-3"], createdAt: 0 },
      { id: "e-2", role: "assistant", content: "Here:\n\n```ts\nexport function add(", status: "stopped", note: "Stopped.", createdAt: 0 },
    );
    const md = exportMarkdown(c, { now: new Date("2026-11-25T10:00:00Z"), model: "scripted" });
    assert.equal(
      md,
      "# Add two numbers\n\n_Exported from Hearth on 2026-11-25 10:00 · model scripted._\n\n## You\n\n> Context: math.ts:1-3\n\nWrite add\n\n" +
        "## Hearth\n\nHere:\n\n```ts\nexport function add(\n\n```\n\n_Stopped._\n",
    );
    assert.equal(exportFileName(c), "add-two-numbers.md");
    c.title = "???";
    assert.equal(exportFileName(c), "conversation.md");
  });
});

describe("chat Apply: where a code block goes", () => {
  const doc = [
    "// header",
    "export function add(a: number, b: number): number {",
    "  return a + b;",
    "}",
    "",
    "export function mean(values: number[]): number {",
    "  return 0;",
    "}",
    "",
  ].join("\n");

  it("replaces the function whose first line matches, up to its closing brace", () => {
    const code = "export function add(a: number, b: number): number {\n  // checked\n  return a + b;\n}\n";
    const r = apply(doc, code);
    assert.equal(r.summary, "replaces lines 2–4");
    assert.equal(r.text, doc.replace("  return a + b;\n}", "  // checked\n  return a + b;\n}"));
  });

  it("replaces the selection when there is one", () => {
    const start = doc.indexOf("return 0;");
    const r = apply(doc, "return values.length;", { start, end: start + "return 0;".length });
    assert.equal(r.summary, "replaces the selection");
    assert.ok(r.text.includes("  return values.length;\n}"));
  });

  it("adds unknown code at the end, after one blank line", () => {
    const r = apply("const a = 1;\n", "const b = 2;");
    assert.equal(r.text, "const a = 1;\n\nconst b = 2;\n");
    assert.equal(r.summary, "adds the code at the end of the file");
  });

  it("fills an empty file", () => {
    assert.equal(apply("", "x = 1\n").text, "x = 1\n");
  });

  it("replaces an indented Python function up to the end of its body and keeps CRLF line ends", () => {
    const py = "class A:\r\n    def f(self):\r\n        return 1\r\n\r\n    def g(self):\r\n        return 2\r\n";
    const r = apply(py, "def f(self):\n    return 42\n");
    assert.equal(r.text, "class A:\r\n    def f(self):\r\n        return 42\r\n\r\n    def g(self):\r\n        return 2\r\n");
  });
});
