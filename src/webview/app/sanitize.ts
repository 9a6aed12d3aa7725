// The last wall between model output and the DOM: DOMPurify with an allow-list of the tags Markdown produces, no
// attributes but links, titles and highlight classes, and only web and mail links. markdown-it already escaped every
// raw tag (html: false); this catches whatever a renderer bug might let through.
import DOMPurify from "dompurify";

const ALLOWED_TAGS = [
  "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "s",
  "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
];
const CLASS_RE = /^(hljs(-[\w-]+)?|language-[\w+#.-]+|[\w-]+_)$/;

let hooked = false;

/** Parses sanitised HTML into a fragment; fails closed (shows the text) where DOMPurify cannot run. */
export function toSafeFragment(html: string): DocumentFragment {
  if (!DOMPurify.isSupported) {
    const fragment = document.createDocumentFragment();
    const pre = document.createElement("pre");
    pre.textContent = html;
    fragment.append(pre);
    return fragment;
  }
  if (!hooked) {
    hooked = true;
    DOMPurify.addHook("uponSanitizeAttribute", (_node, data) => {
      if (data.attrName === "class") {
        data.attrValue = data.attrValue
          .split(/\s+/)
          .filter((c) => CLASS_RE.test(c))
          .join(" ");
      }
    });
  }
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR: ["href", "title", "class", "start"],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    RETURN_DOM_FRAGMENT: true,
    // Parse as body content from the first character: otherwise leading whitespace other than spaces, tabs and line
    // breaks (a form feed opening a slice of highlighted code) would be dropped from the code's text.
    FORCE_BODY: true,
  });
}
