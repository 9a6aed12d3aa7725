// What the chat bench renders: a 300-message conversation (seeded into the conversation store's folder) and a 100 KB
// answer for the scripted model to stream. Deterministic, and shaped like real answers: prose with inline Markdown,
// lists, and fenced code in several languages, so markdown-it, highlight.js and DOMPurify all do their real work.
import type { Entry } from "../../src/chat/chat-types";
import type { Conversation } from "../../src/chat/conversation";

const LANGUAGES = ["ts", "python", "json", "bash", "rust", "go"] as const;

function codeSample(language: (typeof LANGUAGES)[number], n: number, lines: number): string {
  const out: string[] = [];
  switch (language) {
    case "ts":
      out.push(`export async function handler${n}(input: Request${n}, signal?: AbortSignal): Promise<Result${n}> {`);
      for (let i = 0; i < lines; i++) out.push(`  const step${i} = await stage${i % 7}(input.items.filter((item) => item.weight > ${i}), { retries: ${i % 3}, signal });`);
      out.push(`  return { ok: true, value: step0, label: "handler ${n}" };`, "}");
      break;
    case "python":
      out.push(`def process_${n}(rows: list[dict], limit: int = ${n}) -> dict:`, `    """Groups the rows of batch ${n} by key."""`);
      for (let i = 0; i < lines; i++) out.push(`    total_${i} = sum(r["value"] * ${i} for r in rows if r.get("key") == "k${i % 5}")  # step ${i}`);
      out.push(`    return {"batch": ${n}, "limit": limit}`);
      break;
    case "json":
      out.push("{", `  "name": "package-${n}",`);
      for (let i = 0; i < lines; i++) out.push(`  "field${i}": { "enabled": ${i % 2 === 0}, "threshold": ${i * 1.5}, "tags": ["a${i}", "b${n}"] },`);
      out.push(`  "version": "1.${n}.0"`, "}");
      break;
    case "bash":
      out.push("#!/usr/bin/env bash", "set -euo pipefail");
      for (let i = 0; i < lines; i++) out.push(`grep -rn "pattern${i}" src/ | awk -F: '{ print $1 }' | sort -u > /tmp/out-${n}-${i}.txt`);
      break;
    case "rust":
      out.push(`pub fn compute_${n}(values: &[u64]) -> Result<u64, Error> {`);
      for (let i = 0; i < lines; i++) out.push(`    let v${i}: u64 = values.iter().filter(|v| **v > ${i}).map(|v| v * ${i % 9 + 1}).sum();`);
      out.push(`    Ok(v0)`, "}");
      break;
    case "go":
      out.push(`func Compute${n}(ctx context.Context, items []Item) (int, error) {`);
      for (let i = 0; i < lines; i++) out.push(`\tif err := check${i % 4}(ctx, items[${i}:]); err != nil { return 0, fmt.Errorf("step ${i}: %w", err) }`);
      out.push("\treturn len(items), nil", "}");
      break;
  }
  return `\`\`\`${language}\n${out.join("\n")}\n\`\`\``;
}

function answerMarkdown(n: number): string {
  const language = LANGUAGES[n % LANGUAGES.length]!;
  const parts = [
    `The problem in **step ${n}** is that \`value${n}\` is read before it is set: the call to \`load${n}()\` returns a promise, and the loop goes on without waiting for it. Here is a version that waits, and keeps the order of the results.`,
    codeSample(language, n, 6 + (n % 5) * 4),
    `What changed:\n\n- the loop awaits each \`stage\` call, so item ${n} is finished before item ${n + 1} starts;\n- errors carry the step number, which makes the log readable;\n- the \`signal\` is passed down, so *Stop* cancels the work.`,
  ];
  if (n % 3 === 0) parts.push(`> Note: if the batch is large (more than ${n * 10} items), run the stages in parallel with a limit instead; see [the docs](https://example.com/docs/${n}).`);
  if (n % 4 === 0) parts.push(`| option | default | meaning |\n|---|---|---|\n| retries | ${n % 3} | attempts per stage |\n| limit | ${n} | items per batch |`);
  return parts.join("\n\n");
}

function questionText(n: number): string {
  return n % 5 === 0
    ? `Why does this fail on the ${n}th batch?\n\n    const value${n} = load${n}();\n    for (const item of items) use(item, value${n});`
    : `Can you fix step ${n} of the pipeline so that it waits for load${n}() and keeps the order?`;
}

/** A conversation of `messages` entries (questions and answers, alternating), as ConversationStore writes it. */
export function longConversation(id: string, messages = 300, now = Date.now()): Conversation {
  const entries: Entry[] = [];
  for (let i = 0; i < messages; i++) {
    const n = Math.floor(i / 2) + 1;
    const at = now - (messages - i) * 60_000;
    entries.push(
      i % 2 === 0
        ? { id: `e-q${n}`, role: "user", content: questionText(n), status: "done", context: [`pipeline${n % 7}.ts`], createdAt: at }
        : { id: `e-a${n}`, role: "assistant", content: answerMarkdown(n), status: "done", createdAt: at },
    );
  }
  return { id, title: "Bench: a 300-message conversation", createdAt: now - messages * 60_000, updatedAt: now, entries };
}

/**
 * A ~100 KB answer: sections of prose, lists and code in several languages, and one long code block (about 12 KB, the
 * kind of "here is the whole file" answer that keeps the streaming tail inside an open fence for a long time).
 */
export function streamedAnswer(targetChars = 100_000): string {
  const parts: string[] = ["Here is a walk through the whole pipeline, stage by stage, with the code for each stage."];
  let n = 1;
  let longBlockDone = false;
  const size = () => parts.reduce((s, p) => s + p.length + 2, 0);
  while (size() < targetChars - 200) {
    parts.push(`### Stage ${n}`);
    parts.push(answerMarkdown(n));
    if (!longBlockDone && size() > targetChars * 0.4) {
      longBlockDone = true;
      parts.push("The complete file, with every stage in one place:");
      parts.push(codeSample("ts", 1000 + n, 105));
    }
    n++;
  }
  parts.push("That is the whole pipeline.");
  return parts.join("\n\n");
}
