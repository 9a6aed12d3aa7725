// Hostile webview messages through the host's validator (parseWebviewMessage, which the chat view provider runs on
// every message before anything else; it logs and drops what it refuses). A refused message is "refused" (the
// provider's log line says so); an accepted one must be a fresh, well-formed message of its type, every field of the
// right type and within its limit, a link a web page: otherwise "unsafe". A key that appeared on a built-in
// prototype is "ran-code", a throw "crashed".
import { HOSTILE_MESSAGES, VALID_MESSAGES } from "../../test/fixtures/chat/hostile-messages";
import { LIMITS, parseWebviewMessage } from "../../src/webview/protocol";
import type { CaseVerdict } from "./case-pool";
import { pollutionSince, snapshotPrototypes } from "./canary";
import { describeError, hasControlCharacter } from "./outcomes";

export const MESSAGE_CORPUS = HOSTILE_MESSAGES.map((c, index) => ({ index, name: c.name }));

/** What the provider writes to its log for a refused message (src/ide/chat-view-provider.ts). */
const REFUSAL = "refused: the view provider logs \"chat: ignored a malformed message from the webview\" with the message";

const FIELD_LIMITS: Record<string, number> = { text: LIMITS.text, code: LIMITS.code, entryId: LIMITS.id, chipId: LIMITS.id, language: LIMITS.id, href: LIMITS.href, problem: LIMITS.problem };

export async function openCases(): Promise<(index: number) => Promise<CaseVerdict>> {
  return async (index) => {
    const spec = HOSTILE_MESSAGES[index];
    if (!spec) throw new Error(`no message case ${index}`);
    const raw = spec.make();
    const before = snapshotPrototypes();
    const started = performance.now();
    let parsed: ReturnType<typeof parseWebviewMessage>;
    try {
      parsed = parseWebviewMessage(raw);
    } catch (error) {
      return { outcome: "crashed", detail: `the validator threw: ${describeError(error)}`, stallMs: performance.now() - started };
    }
    const stallMs = performance.now() - started;
    const polluted = pollutionSince(before);
    if (polluted.length) return { outcome: "ran-code", detail: `${polluted.join(", ")} appeared`, stallMs };
    if (parsed === null) return { outcome: "refused", detail: REFUSAL, stallMs };
    const problems = problemsOf(parsed, raw);
    return problems.length
      ? { outcome: "unsafe", detail: `accepted, but ${problems.join("; ")}`, stallMs }
      : { outcome: "accepted", detail: `accepted as a well-formed ${parsed.type} message`, stallMs };
  };
}

/** Why an accepted message is not one the host can trust; empty when it is. */
export function problemsOf(message: unknown, raw: unknown): string[] {
  const problems: string[] = [];
  if (message === raw) problems.push("the validator passed on the sender's own object");
  if (typeof message !== "object" || message === null || Object.getPrototypeOf(message) !== Object.prototype) return [...problems, "not a plain object"];
  const fields = message as Record<string, unknown>;
  const valid = typeof fields.type === "string" ? VALID_MESSAGES[fields.type] : undefined;
  if (!valid || !Object.hasOwn(VALID_MESSAGES, fields.type as string)) return [...problems, `an unknown type ${String(fields.type)}`];
  for (const key of Reflect.ownKeys(fields)) {
    if (typeof key !== "string" || !(key in valid)) problems.push(`an unexpected key ${String(key)}`);
  }
  for (const [key, example] of Object.entries(valid)) {
    const value = fields[key];
    if (typeof value !== typeof example) problems.push(`${key} is ${typeof value}`);
    else if (typeof value === "number" && !Number.isFinite(value)) problems.push(`${key} is not finite`);
    else if (typeof value === "string" && FIELD_LIMITS[key] !== undefined && value.length > FIELD_LIMITS[key]) problems.push(`${key} is over its limit`);
  }
  if (fields.type === "problem" && typeof fields.text === "string" && fields.text.length > LIMITS.problem) problems.push("text is over its limit");
  if (fields.type === "openLink" && (typeof fields.href !== "string" || !/^https?:\/\/\S+$/i.test(fields.href) || hasControlCharacter(fields.href))) problems.push(`a link that is not a web page: ${String(fields.href).slice(0, 60)}`);
  for (const id of [fields.entryId, fields.chipId]) {
    if (typeof id === "string" && !/^[\w.:-]{1,100}$/.test(id)) problems.push(`an id with other characters: ${id.slice(0, 40)}`);
  }
  return problems;
}
