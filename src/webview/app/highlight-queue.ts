// Long code blocks are shown plain at once and highlighted afterwards, a slice per turn of the event loop, so a block
// of thousands of lines never holds the view's main thread for long (markdown.ts leaves them plain).
import { highlightSlices } from "./markdown";
import { toSafeFragment } from "./sanitize";

/** Highlighting done per turn before the view gets the thread back. */
const BUDGET_MS = 8;

interface Job {
  code: HTMLElement;
  text: string;
  /** The part not highlighted yet, always the code element's last child. */
  plain: Text;
  slices: Iterator<{ end: number; html: string }>;
}

const jobs: Job[] = [];
let scheduled = false;

/** Highlights `code` (a <code> element holding plain text) soon, in slices; dropped if it leaves the document first. */
export function highlightLater(code: HTMLElement, language: string): void {
  const text = code.textContent ?? "";
  const plain = document.createTextNode(text);
  code.replaceChildren(plain);
  jobs.push({ code, text, plain, slices: highlightSlices(text, language) });
  schedule();
}

/** Code blocks waiting to be (fully) highlighted. */
export function pendingHighlights(): number {
  return jobs.length;
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setTimeout(run, 0);
}

function run(): void {
  scheduled = false;
  const started = performance.now();
  while (jobs.length > 0 && performance.now() - started < BUDGET_MS) {
    const job = jobs[0]!;
    const next = job.code.isConnected ? job.slices.next() : undefined;
    if (!next || next.done) {
      jobs.shift();
      continue;
    }
    job.plain.before(toSafeFragment(next.value.html));
    job.plain.data = job.text.slice(next.value.end);
    if (next.value.end >= job.text.length) {
      job.plain.remove();
      jobs.shift();
    }
  }
  if (jobs.length > 0) schedule();
}
