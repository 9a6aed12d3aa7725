// The front of the next next-edit prompt that the engine evaluates while the user types: it must be what the prompt
// at the pause begins with, whatever the user still types on the cursor's line.
import { strict as assert } from "node:assert";
import { EditHistory } from "../../../src/nextedit/edit-history";
import { SWEEP_FORMAT } from "../../../src/nextedit/formats";
import type { PromptPiece } from "../../../src/fim/types";
import { buildNextEditPrompt, knownPromptPrefix } from "../../../src/nextedit/next-edit-prompt";

const FILE = { uri: "file:///w/a.ts", path: "a.ts", languageId: "typescript" };
const LINES = Array.from({ length: 60 }, (_, i) => `  const value${i} = compute(${i});`);
const flat = (pieces: readonly PromptPiece[]) => pieces.map((piece) => (piece.kind === "special" ? `[${piece.token}]` : piece.text)).join("");

/** A typist who changed line 10, waited, and now types new lines after line 30 a character at a time. */
function typing() {
  let now = 0;
  const history = new EditHistory(() => true, { now: () => now });
  let text = LINES.join("\n");
  history.open(FILE, text);
  const type = (offset: number, typed: string) => {
    for (const char of typed) {
      text = text.slice(0, offset) + char + text.slice(offset);
      history.change(FILE, [{ offset, removedLength: 0, text: char }], text);
      offset++;
      now += 80;
    }
    return offset;
  };
  const at10 = text.indexOf("compute(10)");
  type(at10, "await ");
  now += 2000;
  const cursor = type(text.indexOf("\n", text.indexOf("value30")) + 1, "  const total = value30 +\n  value31 + va");
  const input = () => ({ format: SWEEP_FORMAT, path: FILE.path, text, cursorOffset: cursor, events: history.recent(), lastEvent: history.lastEventOf(FILE.uri) });
  return { input, type: (typed: string) => type(cursor, typed), text: () => text };
}

describe("knownPromptPrefix", () => {
  it("is the front of the prompt the pause sends after more typing on the cursor's line", () => {
    const user = typing();
    const front = flat(knownPromptPrefix(user.input()));
    user.type("lue32;");
    const sent = flat(buildNextEditPrompt(user.input()).pieces);
    assert.ok(front.length > 0);
    assert.equal(sent.slice(0, front.length), front);
  });

  it("holds the earlier edit's diff block and the typed lines above the cursor's line, and stops at the cursor's line", () => {
    const front = flat(knownPromptPrefix(typing().input()));
    assert.match(front, /a\.ts\.diff\noriginal:\n {2}const value10 = compute\(10\);\nupdated:\n {2}const value10 = await compute\(10\);\n/);
    assert.ok(front.endsWith("updated:\n  const total = value30 +\n"), JSON.stringify(front.slice(-80)));
  });

  it("knows nothing past the first place the cursor's line shows: neither window is in it", () => {
    const front = flat(knownPromptPrefix(typing().input()));
    assert.doesNotMatch(front, /original\/a\.ts|current\/a\.ts/);
  });
});
