import * as assert from "node:assert/strict";
import { CompletionStreamFilter, postprocessCompletion } from "../../../../src/completion/postprocess/postprocess-completion";

/** "before█after" plus the model's output → the suggestion. */
function complete(source: string, completion: string, languageId = "typescript", multiline = true): string | null {
  const at = source.indexOf("█");
  return postprocessCompletion({ completion, prefix: source.slice(0, at), suffix: source.slice(at + 1), languageId, multiline });
}

const BODY = "function f(items) {\n  █\n}\n";

describe("repeated lines", () => {
  it("keeps one copy of a line the model writes three times in a row", () => {
    assert.equal(complete(BODY, "items.sort();\n  items.sort();\n  items.sort();\n  items.sort();\n"), "items.sort();");
  });

  it("keeps a line written twice in a row, as correct code does (res.pop_back(); twice)", () => {
    assert.equal(complete(BODY, "items.pop();\n  items.pop();\n  return items;"), "items.pop();\n  items.pop();\n  return items;");
  });

  it("counts a run of repeats across the blank lines between them", () => {
    assert.equal(complete(BODY, "let n = 0;\n  n += 1;\n\n  n += 1;\n\n  n += 1;\n"), "let n = 0;\n  n += 1;");
  });

  it("does not count the same statement at another indentation as a repeat", () => {
    const source = "def f(x):\n    █";
    const body = "if x:\n        return False\n    if x > 1:\n        return False\n    return False";
    assert.equal(complete(source, body, "python"), body);
  });

  it("lets closing brackets, one-word block ends and closing tags repeat", () => {
    assert.equal(complete("█", "end\nend\nend\n", "ruby"), "end\nend\nend");
    assert.equal(complete("<div>\n<div>\n<div>\n█", "</div>\n</div>\n</div>\n", "html"), "</div>\n</div>\n</div>");
    assert.equal(complete("█", "# Totals.\n#\n#\n#\ntotal = 0\n", "python"), "# Totals.\n#\n#\n#\ntotal = 0");
  });

  it("counts the line above the cursor as the first of a run", () => {
    assert.equal(complete("function f(items) {\n  items.sort();\n  █\n}\n", "items.sort();\n  items.sort();\n  return items;"), null);
  });

  it("counts the typed start of the cursor's line with the first line of the suggestion", () => {
    assert.equal(complete("function f(items) {\n  items.█\n}\n", "sort();\n  items.sort();\n  items.sort();\n"), "sort();");
  });

  it("does not judge a single-line request, which ends at its first line anyway", () => {
    assert.equal(complete(BODY, "x();\n  x();\n  x();\n", "typescript", false), "x();");
  });

  it("asks to stop generating as soon as the third copy of a line is complete", () => {
    const filter = new CompletionStreamFilter({ prefix: "function f(items) {\n  ", suffix: "\n}\n", languageId: "typescript", multiline: true });
    assert.equal(filter.push("items.sort();\n"), false);
    assert.equal(filter.push("  items.sort();\n"), false);
    assert.equal(filter.push("  items.sort();"), false);
    assert.equal(filter.push("\n"), true);
    assert.equal(filter.finish(), "items.sort();");
    assert.equal(filter.stoppedBy, "repeated-line");
  });
});
