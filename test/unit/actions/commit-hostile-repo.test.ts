// A commit message written for a hostile cloned repository: its history, file names and diff are the attacker's. The
// prompt must still fit the model's window, and reading the diff must cost time in proportion to its size.
import { strict as assert } from "node:assert";
import { buildCommitPrompt, cleanCommitMessage, COMMIT_ANSWER_TOKENS } from "../../../src/actions/commit-message";
import { budgetDiff, parseUnifiedDiff } from "../../../src/actions/commit-diff";
import { detectCommitStyle } from "../../../src/actions/commit-style";
import { estimateTokens } from "../../../src/context/token-estimate";

const SMALL_DIFF = "diff --git a/src/a.ts b/src/a.ts\n--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1,1 +1,1 @@ function main()\n-old\n+new\n";

/** One file's diff with `hunks` hunks, each in a function of its own (a unique `@@` section). */
function manyHunks(hunks: number): string {
  const parts = ["diff --git a/gen/big.c b/gen/big.c", "--- a/gen/big.c", "+++ b/gen/big.c"];
  for (let i = 0; i < hunks; i++) parts.push(`@@ -${i * 10 + 1},1 +${i * 10 + 1},1 @@ int function_${i}(void)`, `-  return ${i};`, `+  return ${i + 1};`);
  return parts.join("\n") + "\n";
}

describe("commit message for a hostile repository", () => {
  it("keeps the prompt within the window when the history holds a subject of a megabyte", () => {
    const huge = `feat: ${"a".repeat(1_000_000)}`;
    const prompt = buildCommitPrompt({ diff: SMALL_DIFF, recentSubjects: [huge, huge, "fix: small"], staged: true }, 4096);
    const tokens = prompt.messages.reduce((sum, m) => sum + estimateTokens(m.content), 0);
    assert.ok(tokens <= 4096 - COMMIT_ANSWER_TOKENS, `${tokens} tokens in a 4,096-token window`);
    assert.ok(prompt.messages[1]!.content.includes("src/a.ts"), "the diff itself is still shown");
  });

  it("shows the model no example subject longer than a subject line can be", () => {
    const style = detectCommitStyle([`fix: ${"x".repeat(50_000)}`, "fix: short one"]);
    assert.ok(style.examples.every((e) => e.length <= 200), `longest example: ${Math.max(...style.examples.map((e) => e.length))}`);
    assert.ok(style.maxSubjectLength <= 120);
  });

  it("reads a 10 MB diff of one file with 100,000 hunks in different functions in linear time", function () {
    this.timeout(60_000);
    const diff = manyHunks(100_000);
    assert.ok(diff.length > 5_000_000);
    const started = Date.now();
    const files = parseUnifiedDiff(diff);
    const budgeted = budgetDiff(files, 2000);
    const ms = Date.now() - started;
    assert.equal(files.length, 1);
    assert.equal(files[0]!.added, 100_000);
    assert.deepEqual(budgeted.summarised, ["gen/big.c"]);
    assert.ok(budgeted.text.includes("int function_0(void), int function_1(void)"), budgeted.text.slice(0, 300));
    // Linear: well under a few seconds even on a loaded machine; comparing every section with every earlier one took minutes.
    assert.ok(ms < 15_000, `${ms} ms`);
  });

  it("keeps a file name with a newline and an ANSI escape on one line of the summary the model reads", () => {
    const name = '"a/src/\\033[31mred\\nline.ts"';
    const plus = '"b/src/\\033[31mred\\nline.ts"';
    const diff = `diff --git ${name} ${plus}\n--- ${name}\n+++ ${plus}\n@@ -1 +1 @@\n-a\n+b\n`;
    const files = parseUnifiedDiff(diff);
    assert.equal(files.length, 1);
    assert.equal(files[0]!.path, "src/\u001b[31mred\nline.ts");
    const budgeted = budgetDiff(files, 0);
    assert.equal(budgeted.text.split("\n").length, 1, JSON.stringify(budgeted.text));
    assert.ok(!budgeted.text.includes("\u001b"), JSON.stringify(budgeted.text));
  });
});

describe("commit message the model copies from a hostile repository", () => {
  it("leaves out terminal escapes, control characters and bidi controls, which git log would replay in a terminal", () => {
    const message = cleanCommitMessage("fix: rename \u001b[31mred\u001b[0m file\u0007\n\nBody \u202eeert\u202c with\u0000 text\tand a tab");
    assert.equal(message, "fix: rename red file\n\nBody eert with text\tand a tab");
  });
});

describe("commit message for a change of thousands of files", () => {
  /** `files` small modified files, and as many lock files. */
  function manyFiles(files: number): string {
    const parts: string[] = [];
    for (let i = 0; i < files; i++) {
      parts.push(`diff --git a/src/module_${i}/index.ts b/src/module_${i}/index.ts\n--- a/src/module_${i}/index.ts\n+++ b/src/module_${i}/index.ts\n@@ -1 +1 @@ export function f${i}()\n-a\n+b`);
      parts.push(`diff --git a/pkg_${i}/yarn.lock b/pkg_${i}/yarn.lock\n--- a/pkg_${i}/yarn.lock\n+++ b/pkg_${i}/yarn.lock\n@@ -1 +1 @@\n-a\n+b`);
    }
    return parts.join("\n") + "\n";
  }

  it("keeps the prompt within the window, naming how many files it could not list", () => {
    const prompt = buildCommitPrompt({ diff: manyFiles(5_000), recentSubjects: ["fix: a"], staged: true }, 4096);
    const tokens = prompt.messages.reduce((sum, m) => sum + estimateTokens(m.content), 0);
    assert.ok(tokens <= 4096 - COMMIT_ANSWER_TOKENS, `${tokens} tokens in a 4,096-token window`);
    assert.match(prompt.messages[1]!.content, /\d[\d,]* more files? (changed|not listed)/);
  });
});

describe("commit message with thousands of untracked files", () => {
  it("keeps the prompt within the window, naming how many new files it could not list", () => {
    const newFiles = Array.from({ length: 20_000 }, (_, i) => `generated/fixture_${i}/\u001b[2Jdata.json`);
    const prompt = buildCommitPrompt({ diff: SMALL_DIFF, newFiles, recentSubjects: [], staged: false }, 4096);
    const user = prompt.messages[1]!.content;
    const tokens = prompt.messages.reduce((sum, m) => sum + estimateTokens(m.content), 0);
    assert.ok(tokens <= 4096 - COMMIT_ANSWER_TOKENS, `${tokens} tokens in a 4,096-token window`);
    assert.match(user, /more files? not listed/);
    assert.ok(!user.includes("\u001b"), "a file name's escape reaches the model");
  });
});

describe("commit diff of unusual changes", () => {
  it("shows a submodule's new commit as its one-line change and a binary file as updated, not its bytes", () => {
    const diff = [
      "diff --git a/deps/lib b/deps/lib\nindex 1111111..2222222 160000\n--- a/deps/lib\n+++ b/deps/lib\n@@ -1 +1 @@\n-Subproject commit 1111111111111111111111111111111111111111\n+Subproject commit 2222222222222222222222222222222222222222",
      "diff --git a/assets/logo.png b/assets/logo.png\nindex 3333333..4444444 100644\nGIT binary patch\nliteral 5\nMcmZ?wbaHS2\n\nliteral 0\nHcmV?d00001",
      "diff --git a/--exec=sh b/--exec=sh\nnew file mode 100644\n--- /dev/null\n+++ b/--exec=sh\n@@ -0,0 +1 @@\n+echo hi",
    ].join("\n") + "\n";
    const files = parseUnifiedDiff(diff);
    assert.deepEqual(files.map((f) => [f.path, f.change, f.binary]), [["deps/lib", "modified", false], ["assets/logo.png", "modified", true], ["--exec=sh", "added", false]]);
    const budgeted = budgetDiff(files, 2000);
    assert.ok(budgeted.text.includes("assets/logo.png: updated (binary file, not shown)"));
    assert.ok(!budgeted.text.includes("McmZ"));
    assert.ok(budgeted.text.includes("+Subproject commit 2222222"));
  });

  it("reads a 50 MB diff of one data file in linear time and keeps the prompt within the window", function () {
    this.timeout(120_000);
    const line = `+${"0123456789abcdef".repeat(6)}\n`;
    const diff = `diff --git a/data/table.csv b/data/table.csv\n--- a/data/table.csv\n+++ b/data/table.csv\n@@ -1,0 +1,${500_000} @@\n${line.repeat(500_000)}`;
    assert.ok(diff.length > 48_000_000);
    const prompt = buildCommitPrompt({ diff, recentSubjects: [], staged: true }, 4096);
    const tokens = prompt.messages.reduce((sum, m) => sum + estimateTokens(m.content), 0);
    assert.ok(tokens <= 4096 - COMMIT_ANSWER_TOKENS, `${tokens} tokens`);
    assert.deepEqual(prompt.diff.summarised, ["data/table.csv"]);
  });
});
