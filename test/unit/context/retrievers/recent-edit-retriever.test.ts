import * as assert from "node:assert/strict";
import { RecentEditRetriever } from "../../../../src/context/retrievers/recent-edit-retriever";
import { recentFilesOver } from "./recent-files-retrievers";
import { retrievalRequestFor } from "./retrieval-request";

const count = (text: string): number => text.length;
const numbered = (n: number): string => Array.from({ length: n }, (_, i) => `line${i}`).join("\n");

describe("RecentEditRetriever", () => {
  it("gives the lines around the last edits of other files, the latest edit scored highest", async () => {
    const a = numbered(40);
    const b = numbered(10);
    const { recentFiles, dispose } = recentFilesOver({ "/p/a.ts": a, "/p/b.ts": b });
    const { request, done } = await retrievalRequestFor("/p/c.ts", "typescript", "x█", { parse: false });
    try {
      recentFiles.edited("/p/a.ts", a.indexOf("line20"));
      recentFiles.edited("/p/b.ts", b.indexOf("line2"));
      const items = new RecentEditRetriever(recentFiles, count).retrieve(request);
      assert.deepEqual(
        items.map((i) => [i.path, i.startLine, i.endLine, i.score]),
        [
          ["/p/b.ts", 0, 8, 0.3],
          ["/p/a.ts", 14, 26, 0.15],
        ],
      );
      assert.equal(items[1].text, a.split("\n").slice(14, 27).join("\n"));
    } finally {
      done();
      dispose();
    }
  });

  it("gives nothing for the edits of the file being edited", async () => {
    const { recentFiles, dispose } = recentFilesOver({ "/p/c.ts": numbered(10) });
    const { request, done } = await retrievalRequestFor("/p/c.ts", "typescript", "x█", { parse: false });
    try {
      recentFiles.edited("/p/c.ts", 5);
      assert.deepEqual(new RecentEditRetriever(recentFiles, count).retrieve(request), []);
    } finally {
      done();
      dispose();
    }
  });
});
