// The edit history the next-edit model reads: grouping, bounds, forgetting, and the policy on which files it keeps.
import { strict as assert } from "node:assert";
import { EditHistory, type HistoryFile, type TextChange } from "../../../src/nextedit/edit-history";
import { mayRecordFile } from "../../../src/nextedit/file-policy";
import { cpuGrowth } from "../helpers/cpu-time";

const A: HistoryFile = { uri: "file:///w/src/a.ts", path: "src/a.ts", languageId: "typescript" };
const B: HistoryFile = { uri: "file:///w/src/b.ts", path: "src/b.ts", languageId: "typescript" };

/** A history on a fake clock, with helpers that type into a file as VS Code reports it. */
function setup(options: ConstructorParameters<typeof EditHistory>[1] = {}, allows: (file: HistoryFile) => boolean = () => true) {
  let now = 0;
  const history = new EditHistory(allows, { ...options, now: () => now });
  const texts = new Map<string, string>();
  return {
    history,
    advance: (ms: number) => (now += ms),
    open(file: HistoryFile, text: string) {
      texts.set(file.uri, text);
      history.open(file, text);
    },
    /** Replaces the first occurrence of `from` (after `after`, if given) by `to`. */
    edit(file: HistoryFile, from: string, to: string) {
      const text = texts.get(file.uri)!;
      const offset = text.indexOf(from);
      assert.ok(offset >= 0, `no ${from} in ${text}`);
      const change: TextChange = { offset, removedLength: from.length, text: to };
      const after = text.slice(0, offset) + to + text.slice(offset + from.length);
      texts.set(file.uri, after);
      history.change(file, [change], after);
    },
    /** Types `word` one character at a time at the end of `anchor`, `gapMs` apart. */
    type(file: HistoryFile, anchor: string, word: string, gapMs: number) {
      for (const ch of word) {
        const text = texts.get(file.uri)!;
        const offset = text.indexOf(anchor) + anchor.length;
        const after = text.slice(0, offset) + ch + text.slice(offset);
        texts.set(file.uri, after);
        history.change(file, [{ offset, removedLength: 0, text: ch }], after);
        anchor += ch;
        now += gapMs;
      }
    },
  };
}

const SOURCE = Array.from({ length: 40 }, (_, i) => `line ${i}`).join("\n");

describe("EditHistory", () => {
  it("records a word typed key by key as one event, its before and after the whole file", () => {
    const t = setup();
    t.open(A, "let x = 1;\n");
    t.type(A, "let x", "yz", 100);
    assert.equal(t.history.recent().length, 1);
    assert.equal(t.history.recent()[0]!.before, "let x = 1;\n");
    assert.equal(t.history.recent()[0]!.after, "let xyz = 1;\n");
  });

  it("records a multi-cursor batch (its changes last to first, as VS Code sends them) as one event spanning their lines", () => {
    const { history } = setup();
    history.open(A, SOURCE);
    const lines = SOURCE.split("\n");
    const at = (line: number) => lines.slice(0, line).join("\n").length + 1;
    const changes: TextChange[] = [20, 10, 3].map((line) => ({ offset: at(line), removedLength: 0, text: "// " }));
    const after = SOURCE.split("\n").map((text, i) => ([3, 10, 20].includes(i) ? `// ${text}` : text)).join("\n");
    history.change(A, changes, after);
    const [event] = history.recent();
    assert.equal(event?.after, after);
    assert.deepEqual([event?.firstLine, event?.lastLine], [3, 20]);
  });

  it("records a multi-cursor batch in time linear in the file's size and the number of cursors", () => {
    const batch = (lines: number) => {
      const text = Array.from({ length: lines }, (_, i) => `  const value${i} = compute(${i});`).join("\n");
      const starts: number[] = [];
      for (let i = 0, offset = 0; i < lines; i++) {
        starts.push(offset);
        offset = text.indexOf("\n", offset) + 1;
      }
      const changes = starts.reverse().map((offset) => ({ offset, removedLength: 0, text: "x" }));
      const after = text.split("\n").map((line) => `x${line}`).join("\n");
      return { text, changes, after };
    };
    const small = batch(300);
    const large = batch(2400);
    const growth = cpuGrowth((scale) => {
      const { text, changes, after } = scale === 1 ? small : large;
      const history = new EditHistory(() => true);
      history.open(A, text);
      history.change(A, changes, after);
    }, 8);
    assert.ok(growth.ratio < 8 * 3, growth.shown);
  });

  it("starts a new event after a pause longer than the grouping time", () => {
    const t = setup({ groupMs: 1000 });
    t.open(A, SOURCE);
    t.edit(A, "line 3", "line three");
    t.advance(1500);
    t.edit(A, "line 4", "line four");
    assert.equal(t.history.recent().length, 2);
  });

  it("starts a new event for a change far from the last one, even at once", () => {
    const t = setup({ groupLines: 8 });
    t.open(A, SOURCE);
    t.edit(A, "line 3", "line three");
    t.edit(A, "line 30", "line thirty");
    assert.equal(t.history.recent().length, 2);
  });

  it("joins a change within a few lines of the last one, made soon after", () => {
    const t = setup({ groupLines: 8 });
    t.open(A, SOURCE);
    t.edit(A, "line 3", "line three");
    t.advance(200);
    t.edit(A, "line 9", "line nine");
    assert.equal(t.history.recent().length, 1);
  });

  it("starts a new event when another file is edited in between", () => {
    const t = setup();
    t.open(A, SOURCE);
    t.open(B, SOURCE);
    t.edit(A, "line 3", "line three");
    t.edit(B, "line 3", "line three");
    t.edit(A, "line 4", "line four");
    assert.deepEqual(t.history.recent().map((e) => e.path), ["src/a.ts", "src/b.ts", "src/a.ts"]);
  });

  it("keeps only the newest events", () => {
    const t = setup({ maxEvents: 3 });
    t.open(A, SOURCE);
    for (let i = 0; i < 6; i++) {
      t.edit(A, `line ${i * 5}\n`, `changed ${i}\n`);
      t.advance(2000);
    }
    const events = t.history.recent();
    assert.equal(events.length, 3);
    assert.ok(events[2]!.after.includes("changed 5"));
    assert.ok(!events[0]!.before.includes("changed 3") && events[0]!.after.includes("changed 3"));
  });

  it("keeps the text of a bounded number of files, dropping the least recently changed", () => {
    const t = setup({ maxTrackedFiles: 2 });
    for (let i = 0; i < 5; i++) t.open({ ...A, uri: `file:///w/${i}.ts`, path: `${i}.ts` }, "x");
    assert.equal(t.history.trackedCount, 2);
  });

  it("records nothing for a file over the size bound", () => {
    const t = setup({ maxFileChars: 100 });
    t.open(A, "x".repeat(200));
    t.edit(A, "xx", "yy");
    assert.equal(t.history.recent().length, 0);
  });

  it("records nothing for a change it cannot reconcile with its copy (a missed change), and resynchronises", () => {
    const t = setup();
    t.open(A, "abc");
    t.history.change(A, [{ offset: 0, removedLength: 1, text: "z" }], "something else");
    assert.equal(t.history.recent().length, 0);
    t.history.change(A, [{ offset: 0, removedLength: 1, text: "z" }], "zomething else");
    assert.equal(t.history.recent().length, 1);
  });

  it("drops an event the user typed and then deleted again (nothing changed)", () => {
    const t = setup();
    t.open(A, "let x = 1;");
    t.edit(A, "x", "xy");
    t.edit(A, "xy", "x");
    assert.equal(t.history.recent().length, 0);
  });

  it("forgets a file closed longer ago than the bound, not one closed a moment ago", () => {
    const t = setup({ forgetClosedMs: 60_000 });
    t.open(A, SOURCE);
    t.edit(A, "line 3", "line three");
    t.history.close(A.uri);
    t.advance(30_000);
    assert.equal(t.history.recent().length, 1);
    t.advance(31_000);
    assert.equal(t.history.recent().length, 0);
  });

  it("keeps the events of a file closed and reopened", () => {
    const t = setup({ forgetClosedMs: 60_000 });
    t.open(A, SOURCE);
    t.edit(A, "line 3", "line three");
    t.history.close(A.uri);
    t.open(A, t.history.recent()[0]!.after);
    t.advance(120_000);
    assert.equal(t.history.recent().length, 1);
  });

  it("never records a file its policy refuses, not even its text", () => {
    const t = setup({}, (file) => file.uri !== B.uri);
    t.open(B, "secret = 1");
    t.edit(B, "1", "2");
    assert.equal(t.history.recent().length, 0);
    assert.equal(t.history.trackedCount, 0);
  });

  it("drops a file's events when the policy stops allowing it", () => {
    let allowed = true;
    const t = setup({}, () => allowed);
    t.open(A, SOURCE);
    t.edit(A, "line 3", "line three");
    allowed = false;
    t.history.recheck();
    assert.equal(t.history.recent().length, 0);
  });

  it("gives a file's latest event, whose before is the file before the last edit", () => {
    const t = setup();
    t.open(A, SOURCE);
    t.edit(A, "line 3", "line three");
    t.advance(5000);
    t.edit(A, "line 4", "line four");
    const last = t.history.lastEventOf(A.uri)!;
    assert.ok(last.before.includes("line three") && last.before.includes("line 4"));
    assert.equal(t.history.lastEventOf(B.uri), undefined);
  });
});

describe("mayRecordFile", () => {
  const settings = { trusted: true, languages: {} };

  it("allows a source file of a trusted workspace", () => {
    assert.equal(mayRecordFile(A, settings), true);
  });

  it("refuses every file in Restricted Mode", () => {
    assert.equal(mayRecordFile(A, { ...settings, trusted: false }), false);
  });

  it("refuses a language the user turned Hearth off for", () => {
    assert.equal(mayRecordFile(A, { ...settings, languages: { typescript: false } }), false);
  });

  it("refuses files in dependency and hidden folders, and files that hold secrets", () => {
    for (const path of ["node_modules/x/index.ts", ".git/config", ".env", "config/.env.local", "certs/server.key", "deploy/id_rsa"]) {
      assert.equal(mayRecordFile({ ...A, uri: `file:///w/${path}`, path }, settings), false, path);
    }
  });

  it("refuses a secrets file named by a Windows path, with backslashes", () => {
    for (const path of ["C:\\proj\\.env", "C:\\proj\\config\\.env.local", "D:\\keys\\id_ed25519"]) {
      assert.equal(mayRecordFile({ ...A, uri: `file:///${path.replaceAll("\\", "/")}`, path }, settings), false, path);
    }
  });

  it("refuses documents that are not files (output panes, git views)", () => {
    assert.equal(mayRecordFile({ ...A, uri: "output:extension-output-1" }, settings), false);
    assert.equal(mayRecordFile({ ...A, uri: "git:/w/src/a.ts?ref" }, settings), false);
  });
});
