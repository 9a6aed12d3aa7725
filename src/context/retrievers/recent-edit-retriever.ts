import type { RecentFiles } from "../recent-files";
import { MAX_WINDOW_CHARS } from "../similar-snippets";
import { countNewlines, endOfLinesBelow, startOfLinesAbove } from "../text-lines";
import type { CountTokens } from "../token-estimate";
import type { RetrievalRequest, Retriever, ScoredItem } from "./retriever";
import { snippetItem } from "./snippet-retriever";

/** Around another file's last edit: this many lines each way, at most this many characters each way. */
const EDIT_LINES = 6;
const EDIT_CHARS = MAX_WINDOW_CHARS / 2;

/** The lines around the user's last edits in other files: what they just changed there is likely what they wire up now. */
export class RecentEditRetriever implements Retriever {
  readonly name = "edits";

  constructor(
    private readonly recentFiles: RecentFiles,
    private readonly countTokens: CountTokens,
  ) {}

  retrieve(request: RetrievalRequest): ScoredItem[] {
    return this.recentFiles.editsElsewhere(request.uri).map((edit) => {
      const start = startOfLinesAbove(edit.text, edit.offset, EDIT_LINES, EDIT_CHARS);
      const end = endOfLinesBelow(edit.text, edit.offset, EDIT_LINES, EDIT_CHARS);
      const text = edit.text.slice(start, end);
      const startLine = edit.lineAt(start);
      return snippetItem({ path: edit.path, startLine, endLine: startLine + countNewlines(text, 0, text.length), text, score: 0.3 / (1 + edit.rank) }, this.countTokens);
    });
  }
}
