// The webview's Markdown layer under Node: src/webview/app/markdown.ts and segments.ts are DOM-free, so they are
// bundled for Node (helpers/webview-modules.ts) and run against hostile model output. The second
// wall, DOMPurify, runs in the real webview: test/e2e/chat.e2e.ts checks the rendered DOM of the same corpus.
import { strict as assert } from "node:assert";
import { HOSTILE_MARKDOWN, longAnswer } from "../../../fixtures/chat/scripts";
import { loadWebviewModules } from "../../helpers/webview-modules";

type MarkdownModule = typeof import("../../../../src/webview/app/markdown");
type SegmentsModule = typeof import("../../../../src/webview/app/segments");

describe("chat Markdown rendering (webview layer, under Node)", function () {
  this.timeout(30_000);
  let markdown: MarkdownModule;
  let segments: SegmentsModule;

  before(() => ({ markdown, segments } = loadWebviewModules<{ markdown: MarkdownModule; segments: SegmentsModule }>(["markdown", "segments"])));

  const hostile: [string, string][] = [
    ["a script tag", "<script>alert(1)</script>"],
    ["an img with onerror", '<img src=x onerror="alert(1)">'],
    ["an svg with onload", '<svg onload="alert(1)"><circle r="1"/></svg>'],
    ["a javascript: link", "[click](javascript:alert(1))"],
    ["an encoded javascript: link", "[click](jav&#x61;script:alert(1))"],
    ["a vbscript: link", "[click](vbscript:msgbox(1))"],
    ["a data: link", "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"],
    ["a raw anchor", '<a href="javascript:alert(1)">x</a>'],
    ["an iframe", '<iframe src="https://example.com"></iframe>'],
    ["an image (remote content)", "![x](https://example.com/pixel.png)"],
    ["an autolink with javascript:", "<javascript:alert(1)>"],
    ["a style tag", "<style>body{display:none}</style>"],
    ["HTML inside a code fence", '```html\n<script>alert(1)</script><img src=x onerror=alert(1)>\n```'],
    ["a fence info string that tries to break out", '```ts" onmouseover="alert(1)\nx\n```'],
    ["an inline event handler in a heading", '# Title <b onclick="alert(1)">x</b>'],
    ["the whole corpus", HOSTILE_MARKDOWN],
  ];
  for (const [what, input] of hostile) {
    it(`renders ${what} inert`, () => {
      const html = markdown.renderMarkdown(input);
      assert.doesNotMatch(html, /<(script|img|svg|iframe|style|a\s[^>]*href="(javascript|vbscript|data):)/i, html);
      assert.doesNotMatch(html, /<[a-z][^>]*\son\w+\s*=/i, `an element with an event handler: ${html}`);
      assert.doesNotMatch(html, /href="(?!https?:|#|mailto:)/i, html);
    });
  }

  it("escapes raw HTML as visible text", () => {
    assert.equal(markdown.renderMarkdown("<b>bold</b>"), "<p>&lt;b&gt;bold&lt;/b&gt;</p>\n");
  });

  it("leaves fenced code plain, with its language as a class (the view highlights it off the main thread)", () => {
    assert.equal(markdown.renderMarkdown("```ts\nconst a = 1 < 2;\n```"), '<pre><code class="language-ts">const a = 1 &lt; 2;\n</code></pre>\n');
  });

  it("keeps web links", () => {
    assert.match(markdown.renderMarkdown("[docs](https://example.com/a?b=1)"), /<a href="https:\/\/example\.com\/a\?b=1">docs<\/a>/);
  });

  describe("stable blocks while streaming", () => {
    const stream = (text: string, step: number) => {
      const state = segments.newSplitState();
      const parts: string[] = [];
      for (let end = step; end < text.length + step; end += step) {
        const stable = segments.takeStable(text.slice(0, Math.min(end, text.length)), state);
        if (stable) parts.push(stable);
      }
      return { parts, tail: text.slice(state.stable), state };
    };
    const samples = [
      "Here is the function:\n\n```ts\nexport function add(a: number, b: number): number {\n\n  return a + b;\n}\n```\n\nIt adds two numbers.",
      "1. first\n\n2. second\n\n   indented\n\nParagraph after.\n\n- a\n- b\n\nDone",
      "~~~~\n```\nnot a close\n```\n~~~~\nafter\n\nend",
      longAnswer(50),
    ];
    for (const [i, text] of samples.entries()) {
      it(`cuts sample ${i + 1} into blocks that render like the whole text`, () => {
        for (const step of [1, 7, 64]) {
          const { parts, tail } = stream(text, step);
          assert.equal(parts.join("") + tail, text);
          const pieced = [...parts, tail].map((p) => markdown.renderMarkdown(p)).join("");
          assert.equal(pieced.replace(/\n/g, ""), markdown.renderMarkdown(text).replace(/\n/g, ""), `step ${step}`);
        }
      });
    }

    it("never cuts inside an open code fence", () => {
      const { parts, state } = stream("Intro\n\n```py\ndef f():\n\n    return 1\n\n", 3);
      assert.deepEqual(parts, ["Intro\n\n"]);
      assert.equal(state.fence, "```");
    });

    describe("a long code block while it streams", () => {
      const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
      const code = Array.from({ length: 120 }, (_, i) => `  const v${i} = items.filter((x) => x.n < ${i} && x.s !== "<${i}>");`).join("\n");

      it("is found with its language, and markdown-it shows it as the prose before it plus the code as plain text", () => {
        for (const cut of [2500, 5000, code.length - 3]) {
          const text = `Intro.\n\nHere is the file:\n\`\`\`ts title=x\n${code.slice(0, cut)}`;
          const { tail, state } = stream(text, 97);
          const fence = segments.openFence(text, state);
          assert.ok(fence, `found at ${cut}`);
          assert.equal(fence.language, "ts");
          const prose = text.slice(state.stable, fence.start);
          const expected = markdown.renderMarkdown(prose) + `<pre><code class="language-ts">${escape(text.slice(fence.bodyStart))}</code></pre>`;
          assert.equal(markdown.renderMarkdown(tail).replace(/\n/g, ""), expected.replace(/\n/g, ""));
        }
      });

      it("is not treated so inside a list or a quote, when indented, or when its info string holds escapes", () => {
        for (const text of [`- item\n\n  \`\`\`ts\n${code}`, `> \`\`\`ts\n> ${code}`, ` \`\`\`ts\n${code}`, `\`\`\`t&amp;s\n${code}`]) {
          const { state } = stream(text, 97);
          assert.equal(segments.openFence(text, state), null, JSON.stringify(text.slice(0, 20)));
        }
      });

      it("ends when the fence closes", () => {
        const text = `\`\`\`ts\n${code}\n\`\`\`\n`;
        const { state } = stream(text, 97);
        assert.equal(segments.openFence(text, state), null);
      });
    });

    it("keeps the tail short for a long answer, so each token renders little", () => {
      const text = "x".repeat(10) + "\n\n" + Array.from({ length: 2000 }, (_, i) => `Paragraph ${i}.`).join("\n\n");
      const { tail } = stream(text, 50);
      assert.ok(tail.length < 40, `tail of ${tail.length} characters`);
    });
  });
});
