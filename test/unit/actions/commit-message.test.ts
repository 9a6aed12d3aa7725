import { strict as assert } from "node:assert";
import type { ActionModel } from "../../../src/actions/action-services";
import { buildCommitPrompt, cleanCommitMessage, COMMIT_ANSWER_TOKENS, COMMIT_SYSTEM_PROMPT, writeCommitMessage } from "../../../src/actions/commit-message";
import { AbortedError } from "../../../src/common/abort";
import { estimateTokens } from "../../../src/context/token-estimate";
import type { ChatParams } from "../../../src/engine/protocol";
import { TempGitRepo } from "../helpers/git-repo";

const SUBJECTS = ["fix(lexer): handle CRLF line endings", "feat(parser): support trailing commas", "docs: explain the cache settings"];

/** A model that streams `chunks` and records what it was asked; it honours the abort signal as the engine does. */
function scriptedModel(chunks: string[], windowTokens = 4096): ActionModel & { calls: ChatParams[] } {
  const calls: ChatParams[] = [];
  return {
    calls,
    contextWindow: () => windowTokens,
    chat: async (params, options) => {
      calls.push(params);
      let text = "";
      for (const chunk of chunks) {
        await new Promise((resolve) => setImmediate(resolve));
        if (options.signal?.aborted) throw new AbortedError();
        text += chunk;
        options.onChunk?.(chunk);
      }
      return { text, stopReason: "end-token", promptTokens: 1, generatedTokens: chunks.length, timings: { queuedMs: 0, firstChunkMs: 0, totalMs: 0 } };
    },
  };
}

describe("commit message", () => {
  let repo: TempGitRepo;
  let diff: string;
  beforeEach(() => {
    repo = new TempGitRepo();
    repo.write("src/lexer.ts", "export function lex(text: string) {\n  return text.split('\\n');\n}\n");
    repo.commit("feat: lexer");
    repo.write("src/lexer.ts", "export function lex(text: string) {\n  return text.split(/\\r?\\n/);\n}\n");
    repo.write("package-lock.json", "{}\n");
    repo.git("add", "-A");
    diff = repo.git("diff", "--cached");
  });
  afterEach(() => repo.dispose());

  it("asks with the repository's style as rules, its recent subjects as examples, and the staged diff", () => {
    const prompt = buildCommitPrompt({ diff, recentSubjects: SUBJECTS, staged: true }, 4096);
    assert.deepEqual(prompt.messages[0], { role: "system", content: COMMIT_SYSTEM_PROMPT });
    const user = prompt.messages[1]!.content;
    assert.match(user, /^Write the commit message for these staged changes\./);
    assert.match(user, /Recent commit subjects in this repository, to match their style:\n- fix\(lexer\): handle CRLF line endings\n- feat\(parser\)/);
    assert.match(user, /The changes:\nsrc\/lexer\.ts \(modified\):\n@@ .*\n export function lex/);
    assert.match(user, /\+ {2}return text\.split\(\/\\r\?\\n\/\);/);
    assert.match(user, /package-lock\.json: updated \(lock file, not shown\)/);
    assert.match(user, /Rules for the message:\n- Write the subject as a Conventional Commit: "type\(scope\): description"/);
    assert.ok(user.indexOf("The changes:") < user.indexOf("Rules for the message:"), "the rules come last, nearest the answer");
  });

  it("sends the project's rules after the system prompt, and leaves the diff the room that remains", () => {
    const rules = "The project's rules for assistants follow.\n\nFrom AGENTS.md:\nCommit subjects are in the imperative, under 50 characters.";
    const prompt = buildCommitPrompt({ diff, recentSubjects: SUBJECTS, staged: true, rules }, 4096);
    assert.equal(prompt.messages[0]!.content, `${COMMIT_SYSTEM_PROMPT}\n\n${rules}`);
    const without = buildCommitPrompt({ diff, recentSubjects: SUBJECTS, staged: true, rules: "" }, 4096);
    assert.equal(without.messages[0]!.content, COMMIT_SYSTEM_PROMPT);
  });

  it("says when the diff is of all changes and lists untracked files as added", () => {
    const prompt = buildCommitPrompt({ diff, newFiles: ["notes/todo.md"], recentSubjects: [], staged: false }, 4096);
    const user = prompt.messages[1]!.content;
    assert.match(user, /changes \(nothing is staged, so all changes\)/);
    assert.match(user, /notes\/todo\.md \(added, not yet tracked\)/);
  });

  it("keeps the whole prompt and the answer's room within a small window", () => {
    for (let i = 0; i < 40; i++) repo.write(`src/gen${i}.ts`, Array.from({ length: 80 }, (_, j) => `export const v${j} = ${i * j};`).join("\n"));
    repo.git("add", "-A");
    const big = repo.git("diff", "--cached");
    const prompt = buildCommitPrompt({ diff: big, recentSubjects: SUBJECTS, staged: true }, 2048);
    const used = prompt.messages.reduce((sum, m) => sum + estimateTokens(m.content) + 16, 0);
    assert.ok(used + COMMIT_ANSWER_TOKENS <= 2048, `prompt ${used} tokens`);
    assert.ok(prompt.diff.summarised.length > 0);
    assert.match(prompt.messages[1]!.content, /src\/gen\d+\.ts \(added\): \+80 -0 lines, diff too large to show/);
  });

  it("cleans fences, quotes, a lead-in and stray blank lines from the answer", () => {
    assert.equal(cleanCommitMessage("```\nfix(lexer): split CRLF lines\n```"), "fix(lexer): split CRLF lines");
    assert.equal(cleanCommitMessage("Commit message:\nfix: x  \n\n\n\nBody line.\n"), "fix: x\n\nBody line.");
    assert.equal(cleanCommitMessage('"Fix the lexer"'), "Fix the lexer");
    assert.equal(cleanCommitMessage('Fix "quoted" word'), 'Fix "quoted" word');
    assert.equal(cleanCommitMessage("```text\nfix: half"), "fix: half", "an unclosed fence while streaming");
  });

  it("streams the cleaned message as the model writes it and returns the final one", async () => {
    const model = scriptedModel(["fix(lexer): ", "split lines ", "on CRLF too"]);
    const seen: string[] = [];
    const outcome = await writeCommitMessage({ diff, recentSubjects: SUBJECTS, staged: true }, { model, signal: new AbortController().signal, onText: (t) => seen.push(t) });
    assert.equal(outcome.status, "written");
    assert.equal(outcome.status === "written" && outcome.message, "fix(lexer): split lines on CRLF too");
    assert.deepEqual(seen, ["fix(lexer):", "fix(lexer): split lines", "fix(lexer): split lines on CRLF too"]);
    assert.equal(model.calls[0]!.maxTokens, COMMIT_ANSWER_TOKENS);
  });

  it("reports a cancelled request as cancelled, and an empty answer as empty", async () => {
    const controller = new AbortController();
    const model = scriptedModel(["fix: a", " b", " c"]);
    const outcome = await writeCommitMessage({ diff, recentSubjects: [], staged: true }, { model, signal: controller.signal, onText: () => controller.abort() });
    assert.deepEqual(outcome, { status: "cancelled" });
    const empty = await writeCommitMessage({ diff, recentSubjects: [], staged: true }, { model: scriptedModel(["```", "\n```"]), signal: new AbortController().signal });
    assert.deepEqual(empty, { status: "empty" });
  });
});
