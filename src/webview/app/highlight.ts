// Syntax highlighting with highlight.js, DOM-free: it runs in the chat view's Web Worker (highlight-worker.ts), never on
// the view's main thread, because compiling one grammar on its first use can take 20 to 70 ms (Java's nested generics
// regex, TypeScript's keyword lists) and a task that long is a stutter the user feels. Unit tests run it under Node.
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

const LANGUAGES = { bash, c, cpp, csharp, css, diff, go, java, javascript, json, kotlin, markdown: markdownLang, php, python, ruby, rust, shell, sql, swift, typescript, xml, yaml };
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);

/** Code longer than this is never highlighted: inserting its highlighted HTML would keep the view busy for long. */
export const MAX_HIGHLIGHT_CHARS = 60_000;
/** About how much code `highlightSlices` highlights per slice: the view inserts one slice per task. */
const SLICE_CHARS = 1_500;

/** The language name of a fence's info string ("ts title=x" → "ts"). */
export function fenceLanguage(info: string): string {
  return info.trim().split(/\s+/)[0]?.toLowerCase() ?? "";
}

/** Whether highlight.js knows the fence's language (by name or alias) and the code is short enough to highlight. */
export function canHighlight(info: string, code: string): boolean {
  const language = fenceLanguage(info);
  return language !== "" && code.length <= MAX_HIGHLIGHT_CHARS && hljs.getLanguage(language) !== undefined;
}

/** The whole code highlighted in one pass; "" where it cannot be. */
export function highlight(code: string, info: string): string {
  if (!canHighlight(info, code)) return "";
  try {
    return hljs.highlight(code, { language: fenceLanguage(info), ignoreIllegals: true }).value;
  } catch {
    return "";
  }
}

/**
 * Highlights code a slice at a time: each step covers whole lines, about SLICE_CHARS of them, and ends where
 * highlight.js is back at the language's top level (no comment, string or template open), so the slices together
 * give what one pass over the whole code gives. Yields where each slice ends (a character offset) and its HTML.
 */
export function* highlightSlices(code: string, info: string): Generator<{ end: number; html: string }, void, undefined> {
  const language = fenceLanguage(info);
  let start = 0;
  while (start < code.length) {
    let end = lineEnd(code, start + SLICE_CHARS);
    for (;;) {
      let html: string;
      let atTop: boolean;
      const part = highlightPart(code.slice(start, end), language);
      if (part) ({ html, atTop } = part);
      else {
        html = escapeHtml(code.slice(start));
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
 * two together read as one pass over both. Undefined where the language is unknown or highlight.js fails.
 */
export function highlightPart(code: string, info: string): { html: string; atTop: boolean } | undefined {
  const language = fenceLanguage(info);
  const top = language ? hljs.getLanguage(language) : undefined;
  if (!top) return undefined;
  try {
    const result = hljs.highlight(code, { language, ignoreIllegals: true }) as { value: string; _top?: unknown };
    // `_top` is highlight.js's mode at the end of the text (undocumented; without it every slice runs to the end).
    return { html: result.value, atTop: result._top === top };
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

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
