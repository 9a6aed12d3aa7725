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
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);

/** Code longer than this is shown without highlighting: highlighting it would stall the view. */
const MAX_HIGHLIGHT_CHARS = 60_000;

const md = new MarkdownIt({
  html: false,
  linkify: false,
  typographer: false,
  breaks: false,
  highlight: (code, info) => highlight(code, info),
});
md.disable(["image"]);

/** The language name of a fence's info string ("ts title=x" → "ts"). */
export function fenceLanguage(info: string): string {
  return info.trim().split(/\s+/)[0]?.toLowerCase() ?? "";
}

export function highlight(code: string, info: string): string {
  const language = fenceLanguage(info);
  if (!language || code.length > MAX_HIGHLIGHT_CHARS || !hljs.getLanguage(language)) return "";
  try {
    return hljs.highlight(code, { language, ignoreIllegals: true }).value;
  } catch {
    return "";
  }
}

/** Markdown to HTML: still to be sanitised before it is inserted. */
export function renderMarkdown(text: string): string {
  return md.render(text);
}
