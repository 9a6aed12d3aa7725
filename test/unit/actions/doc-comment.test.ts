import { strict as assert } from "node:assert";
import { documentationStart, documentCode } from "../../../src/actions/doc-comment";

/** The code lines of a text: everything but the comment or docstring lines named. */
const withoutLines = (text: string, drop: (line: string) => boolean) => text.split("\n").filter((l) => !drop(l)).join("\n");

describe("documentCode: only the answer's documentation goes into the original code", () => {
  describe("in languages with doc comments above the declaration", () => {
    const cases: { languageId: string; original: string; answer: string; expected: string }[] = [
      {
        languageId: "typescript",
        original: "export function area(w: number, h: number): number {\n  return w * h;\n}",
        answer: "/**\n * The area.\n * @param w - Width.\n */\nexport function area(w: number, h: number): number {\n  return 0; // the model changed the body\n}",
        expected: "/**\n * The area.\n * @param w - Width.\n */\nexport function area(w: number, h: number): number {\n  return w * h;\n}",
      },
      {
        languageId: "javascript",
        original: "  add(a, b) {\n    return a + b;\n  }",
        answer: "  /** Adds. @param {number} a @param {number} b @returns {number} */\n  add(a, b) {}",
        expected: "  /** Adds. @param {number} a @param {number} b @returns {number} */\n  add(a, b) {\n    return a + b;\n  }",
      },
      {
        languageId: "go",
        original: "func Area(w, h int) int {\n\treturn w * h\n}",
        answer: "// Area returns the area of a w by h rectangle.\nfunc Area(w, h int) int {\n\treturn w + h\n}",
        expected: "// Area returns the area of a w by h rectangle.\nfunc Area(w, h int) int {\n\treturn w * h\n}",
      },
      {
        languageId: "rust",
        original: "#[inline]\npub fn area(w: u32, h: u32) -> u32 {\n    w * h\n}",
        answer: "/// The area.\n///\n/// # Panics\n/// Never.\n#[inline]\npub fn area(w: u32, h: u32) -> u64 {\n    todo!()\n}",
        expected: "/// The area.\n///\n/// # Panics\n/// Never.\n#[inline]\npub fn area(w: u32, h: u32) -> u32 {\n    w * h\n}",
      },
      {
        languageId: "java",
        original: "    @Override\n    public int area() {\n        return w * h;\n    }",
        answer: "    /**\n     * The area.\n     * @return the area\n     */\n    @Override\n    public int area() {\n        return 1;\n    }",
        expected: "    /**\n     * The area.\n     * @return the area\n     */\n    @Override\n    public int area() {\n        return w * h;\n    }",
      },
      {
        languageId: "csharp",
        original: "public int Area() => W * H;",
        answer: "/// <summary>The area.</summary>\n/// <returns>The area.</returns>\npublic int Area() => 0;",
        expected: "/// <summary>The area.</summary>\n/// <returns>The area.</returns>\npublic int Area() => W * H;",
      },
      {
        languageId: "cpp",
        original: "int area(int w, int h) {\n  return w * h;\n}",
        answer: "/**\n * @brief The area.\n * @return w times h\n */\nint area(int w, int h) { return w * h * 2; }",
        expected: "/**\n * @brief The area.\n * @return w times h\n */\nint area(int w, int h) {\n  return w * h;\n}",
      },
      {
        languageId: "ruby",
        original: "def area(w, h)\n  w * h\nend",
        answer: "# The area.\n# @param w [Integer]\n# @return [Integer]\ndef area(w, h)\n  w + h\nend",
        expected: "# The area.\n# @param w [Integer]\n# @return [Integer]\ndef area(w, h)\n  w * h\nend",
      },
      {
        languageId: "php",
        original: "function area($w, $h) {\n    return $w * $h;\n}",
        answer: "/**\n * The area.\n * @return int\n */\nfunction area($w, $h) {\n    return 0;\n}",
        expected: "/**\n * The area.\n * @return int\n */\nfunction area($w, $h) {\n    return $w * $h;\n}",
      },
    ];
    for (const c of cases) {
      it(`keeps ${c.languageId} code byte-identical when the answer changed it, adding only the doc comment`, () => {
        const result = documentCode(c.original, c.answer, c.languageId);
        assert.deepEqual(result, { code: c.expected });
      });
    }

    it("replaces an existing doc comment, and only it, keeping the decorators below it", () => {
      const original = "/** Old text. */\n@Component()\nexport class Box {\n  size = 1;\n}";
      const answer = "/**\n * A box.\n */\n@Component()\nexport class Box {\n  size = 2;\n  extra = true;\n}";
      assert.deepEqual(documentCode(original, answer, "typescript"), { code: "/**\n * A box.\n */\n@Component()\nexport class Box {\n  size = 1;\n}" });
    });

    it("takes the doc comment of the target's declaration, not of another one the model wrote before it", () => {
      const original = "function b() {\n  return 2;\n}";
      const answer = "/** A. */\nfunction a() {\n  return 1;\n}\n\n/** B. */\nfunction b() {\n  return 3;\n}";
      assert.deepEqual(documentCode(original, answer, "javascript"), { code: "/** B. */\nfunction b() {\n  return 2;\n}" });
    });

    it("says the answer held no documentation, and proposes nothing, when it has code only", () => {
      const original = "function b() {\n  return 2;\n}";
      assert.deepEqual(documentCode(original, "function b() {\n  return 3;\n}", "javascript"), { problem: "the model's answer held no documentation for it" });
    });

    it("shows a doc comment still being written, and refuses one that never closed", () => {
      const original = "function b() {\n  return 2;\n}";
      assert.deepEqual(documentCode(original, "/**\n * Returns", "javascript", true), { code: "/**\n * Returns\nfunction b() {\n  return 2;\n}" });
      assert.deepEqual(documentCode(original, "/**\n * Returns", "javascript", false), { problem: "the documentation in the model's answer is not a closed comment" });
    });

    it("refuses a comment that ends on the same line as code, rather than dropping that code into the comment", () => {
      const original = "function b() {\n  return 2;\n}";
      const result = documentCode(original, "/**\n * B.\n */ function b() {\n  return 2;\n}", "javascript");
      assert.ok("problem" in result, JSON.stringify(result));
    });
  });

  describe("in Python, with a docstring inside the body", () => {
    it("puts the docstring after the def line with the body's indentation, the code byte-identical", () => {
      const original = "    def area(self, w, h):\n        # product\n        return w * h";
      const answer = 'def area(self, w, h):\n    """The area.\n\n    Args:\n        w: width.\n    """\n    return w + h  # changed';
      const result = documentCode(original, answer, "python");
      assert.deepEqual(result, { code: '    def area(self, w, h):\n        """The area.\n\n        Args:\n            w: width.\n        """\n        # product\n        return w * h' });
      assert.equal(withoutLines((result as { code: string }).code, (l) => /"""|Args|w: width|^$/.test(l.trim()) || l.trim() === "The area."), original);
    });

    it("finds the body after a header over several lines, with decorators above it", () => {
      const original = "@cache\ndef area(\n    w: int,\n    h: int,\n) -> int:\n    return w * h";
      const answer = '@cache\ndef area(\n    w: int,\n    h: int,\n) -> int:\n    """Area of w by h."""\n    return 0';
      assert.deepEqual(documentCode(original, answer, "python"), { code: '@cache\ndef area(\n    w: int,\n    h: int,\n) -> int:\n    """Area of w by h."""\n    return w * h' });
    });

    it("replaces an existing docstring, and only it", () => {
      const original = "class Box:\n    '''Old.'''\n\n    size = 1";
      const answer = 'class Box:\n    """A box.\n\n    Attributes:\n        size: its size.\n    """\n\n    size = 2';
      assert.deepEqual(documentCode(original, answer, "python"), { code: 'class Box:\n    """A box.\n\n    Attributes:\n        size: its size.\n    """\n\n    size = 1' });
    });

    it("says so when the answer has no docstring, or the def is on one line", () => {
      assert.deepEqual(documentCode("def f():\n    return 1", "# Returns one.\ndef f():\n    return 1", "python"), { problem: "the model's answer held no documentation for it" });
      assert.ok("problem" in documentCode("def f(): return 1", 'def f():\n    """One."""\n    return 1', "python"));
    });
  });

  describe("documentationStart", () => {
    it("takes in the doc comment and decorators right above a selected declaration, not those after a blank line", () => {
      const text = "// header\n\n/**\n * Old.\n */\n@dec\nfunction f() {}\n";
      const at = text.indexOf("function f");
      assert.equal(documentationStart(text, at, "typescript"), text.indexOf("/**"));
      const apart = "/** Old. */\n\nfunction f() {}\n";
      assert.equal(documentationStart(apart, apart.indexOf("function"), "typescript"), apart.indexOf("function"));
      assert.equal(documentationStart("# c\ndef f():\n  pass\n", 4, "python"), 4, "a docstring goes inside the body");
    });
  });
});
