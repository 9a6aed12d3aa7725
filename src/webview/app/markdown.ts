// Markdown to HTML for model answers: markdown-it with raw HTML off (every `<tag>` in the model's text is shown as
// text), images off (no remote content), and highlight.js for fenced code. The result still goes through the
// sanitiser (sanitize.ts) before it touches the DOM. DOM-free, so unit tests run it under Node.
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import c from "highlight.js/lib/languages/c";
import cpp from "highlight.js/lib/languages/cpp";
import csharp from "highlight.js/lib/languages/csharp";
import css from "highlight.js/lib/languages/css";
import diff from "highlight.js/lib/languages/diff";
import go from "highlight.js/lib/languages/go";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import kotlin from "highlight.js/lib/languages/kotlin";
import markdownLang from "highlight.js/lib/languages/markdown";
import php from "highlight.js/lib/languages/php";
import python from "highlight.js/lib/languages/python";
import ruby from "highlight.js/lib/languages/ruby";
import rust from "highlight.js/lib/languages/rust";
import shell from "highlight.js/lib/languages/shell";
import sql from "highlight.js/lib/languages/sql";
import swift from "highlight.js/lib/languages/swift";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";
import MarkdownIt from "markdown-it";

const LANGUAGES = { bash, c, cpp, csharp, css, diff, go, java, javascript, json, kotlin, markdown: markdownLang, php, python, ruby, rust, shell, sql, swift, typescript, xml, yaml };
let registered = false;

/**
 * Registers the languages (running each one's definition takes tens of milliseconds in all): on the first highlight,
 * or earlier when the view calls it in a quiet moment, so that loading the script stays short.
 */
export function prepareHighlighting(): void {
  if (registered) return;
  registered = true;
  for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);
}

/**
 * The registered languages, for the view to compile one per idle task: highlight.js compiles a language's grammar on its
 * first use (about 5 to 15 ms each), which otherwise lands in the task that renders the first answers of a conversation.
 */
export function highlightLanguages(): string[] {
  return Object.keys(LANGUAGES);
}

export function compileLanguage(name: string): void {
  highlight("x", name);
}

/** Code longer than this is never highlighted: even a slice at a time it would keep the view busy for long. */
const MAX_HIGHLIGHT_CHARS = 60_000;
/**
 * Code longer than this is left plain by `renderMarkdown` (one highlight.js pass over it can block the view for more
 * than 50 ms): the view shows it plain while it streams and highlights it with `highlightSlices` once it is complete.
 */
export const HIGHLIGHT_AT_ONCE_CHARS = 2_000;
/** About how much code `highlightSlices` highlights per slice. */
const SLICE_CHARS = 1_500;

const md = new MarkdownIt({
  html: false,
  linkify: false,
  typographer: false,
  breaks: false,
  highlight: (code, info) => (code.length > HIGHLIGHT_AT_ONCE_CHARS ? "" : highlight(code, info)),
});
md.disable(["image"]);

/** The language name of a fence's info string ("ts title=x" → "ts"). */
export function fenceLanguage(info: string): string {
  return info.trim().split(/\s+/)[0]?.toLowerCase() ?? "";
}

export function highlight(code: string, info: string): string {
  prepareHighlighting();
  const language = fenceLanguage(info);
  if (!language || code.length > MAX_HIGHLIGHT_CHARS || !hljs.getLanguage(language)) return "";
  try {
    return hljs.highlight(code, { language, ignoreIllegals: true }).value;
  } catch {
    return "";
  }
}

/** The highlight.js language for a fence's info string when its code can be highlighted, else undefined. */
export function highlightLanguage(info: string, code: string): string | undefined {
  prepareHighlighting();
  const language = fenceLanguage(info);
  return language && code.length <= MAX_HIGHLIGHT_CHARS && hljs.getLanguage(language) ? language : undefined;
}

/**
 * Highlights code a slice at a time: each step covers whole lines, about SLICE_CHARS of them, and ends where
 * highlight.js is back at the language's top level (no comment, string or template open), so the slices together
 * give what one pass over the whole code gives. Yields where each slice ends (a character offset) and its HTML.
 */
export function* highlightSlices(code: string, language: string): Generator<{ end: number; html: string }, void, undefined> {
  prepareHighlighting();
  let start = 0;
  while (start < code.length) {
    let end = lineEnd(code, start + SLICE_CHARS);
    for (;;) {
      let html: string;
      let atTop: boolean;
      const part = highlightPart(code.slice(start, end), language);
      if (part) ({ html, atTop } = part);
      else {
        html = md.utils.escapeHtml(code.slice(start));
        end = code.length;
        atTop = true;
      }
      if (atTop || end >= code.length) {
        yield { end, html };
        break;
      }
      // Something is still open here: try again with the slice twice as long.
      end = lineEnd(code, end + (end - start));
    }
    start = end;
  }
}

/**
 * Highlights a piece of code that starts at the language's top level, and says whether highlight.js is back at the top
 * level at its end (no comment, string or template open): then the next piece can be highlighted on its own and the
 * two together read as one pass over both. Undefined where highlight.js fails.
 */
export function highlightPart(code: string, language: string): { html: string; atTop: boolean } | undefined {
  prepareHighlighting();
  const top = hljs.getLanguage(language);
  try {
    const result = hljs.highlight(code, { language, ignoreIllegals: true }) as { value: string; _top?: unknown };
    // `_top` is highlight.js's mode at the end of the text (undocumented; without it every slice runs to the end).
    return { html: result.value, atTop: top !== undefined && result._top === top };
  } catch {
    return undefined;
  }
}

/** The index just after the first line break at or after `from` (the end of the text if there is none). */
function lineEnd(text: string, from: number): number {
  if (from >= text.length) return text.length;
  const newline = text.indexOf("\n", from);
  return newline < 0 ? text.length : newline + 1;
}

/** Markdown to HTML: still to be sanitised before it is inserted. */
export function renderMarkdown(text: string): string {
  return md.render(text);
}
