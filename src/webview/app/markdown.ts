// Markdown to HTML for model answers: markdown-it with raw HTML off (every `<tag>` in the model's text is shown as
// text) and images off (no remote content). Fenced code comes out plain, with its language as a class: the view
// highlights it off the main thread (highlighter.ts). The result still goes through the sanitiser (sanitize.ts) before
// it touches the DOM. DOM-free, so unit tests run it under Node.
import MarkdownIt from "markdown-it";

const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: false });
md.disable(["image"]);

/** Markdown to HTML: still to be sanitised before it is inserted. */
export function renderMarkdown(text: string): string {
  return md.render(text);
}
