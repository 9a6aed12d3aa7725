import * as assert from "node:assert/strict";
import { CompletionStreamFilter, postprocessCompletion, postprocessStream } from "../../../src/completion/postprocess/postprocess-completion";
import { cpuGrowth } from "../helpers/cpu-time";

/** "before█after" plus the model's output → the suggestion. */
function complete(source: string, completion: string, languageId: string, multiline: boolean, maxLines?: number): string | null {
  const at = source.indexOf("█");
  return postprocessCompletion({ completion, prefix: source.slice(0, at), suffix: source.slice(at + 1), languageId, multiline, maxLines });
}

describe("postprocessCompletion", () => {
  describe("single-line requests", () => {
    it("stops at the end of the line", () => {
      assert.equal(complete("const total = █\n", "items.length;\nconsole.log(total);", "typescript", false), "items.length;");
    });

    it("does not repeat the auto-closed bracket after the cursor", () => {
      assert.equal(complete("if (█) {\n", "user.isAdmin) {", "typescript", false), "user.isAdmin");
    });

    it("keeps a closing bracket the completion opened itself", () => {
      assert.equal(complete("return compute(█)\n", "load(path)) + 1", "typescript", false), "load(path)");
    });

    it("drops the rest of the line when the model repeats it", () => {
      assert.equal(complete("    for i in █:\n        pass\n", "range(10):", "python", false), "range(10)");
    });

    it("returns null for whitespace only", () => {
      assert.equal(complete("let x = █\n", "   \n", "typescript", false), null);
    });
  });

  describe("multi-line requests", () => {
    it("cuts at the end of the block the cursor is in when the brace is already there (TypeScript)", () => {
      const source = "function add(a: number, b: number): number {\n  █\n}\n";
      assert.equal(complete(source, "return a + b;\n}\n\nfunction sub() {}", "typescript", true), "return a + b;");
    });

    it("keeps the closing brace when the document does not have it yet (Go)", () => {
      const source = "func (s *Store) Len() int {\n\t█";
      assert.equal(complete(source, "return len(s.data)\n}\n\nfunc (s *Store) Keys() []string {", "go", true), "return len(s.data)\n}");
    });

    it("stops where the output starts repeating the lines after the cursor (Rust)", () => {
      const source = "fn main() {\n    let config = Config::from_env();\n    █\n    println!(\"{}\", config.port);\n}\n";
      const out = complete(source, "let port = config.port;\n    println!(\"{}\", config.port);\n}\n", "rust", true);
      assert.equal(out, "let port = config.port;");
    });

    it("stops when a Python function ends and the next definition starts", () => {
      const source = "def total(cart):\n    █";
      assert.equal(complete(source, "return sum(cart)\n\n\ndef other():\n    pass\n", "python", true), "return sum(cart)");
    });

    it("keeps a nested Python helper and the lines after it inside the same function", () => {
      const source = "def outer(xs):\n█";
      const body = "    def inner(x):\n        return x * 2\n\n    return [inner(x) for x in xs]\n";
      assert.equal(complete(source, body + "\n\ndef after():\n    pass\n", "python", true), body.trimEnd());
    });

    it("writes one construct at a time at the top level of a brace language (Java)", () => {
      const source = "█";
      const out = complete(source, "class A {\n    int x;\n}\n\nclass B {\n}\n", "java", true);
      assert.equal(out, "class A {\n    int x;\n}");
    });

    it("falls back to the last balanced line when the model ran out of tokens inside a block", () => {
      const source = "function f() {\n  █\n}\n";
      assert.equal(complete(source, "const a = 1;\n  if (a) {\n    call(", "typescript", true), "const a = 1;");
    });

    it("respects a line limit", () => {
      assert.equal(complete("█", "a();\nb();\nc();\n", "javascript", true, 2), "a();\nb();");
    });

    it("ignores brackets inside strings and comments", () => {
      const source = "function f() {\n  █\n}\n";
      assert.equal(complete(source, "const s = \"}\"; // }\n  return s;\n}", "typescript", true), "const s = \"}\"; // }\n  return s;");
    });

    it("converts the model's tabs to the document's spaces", () => {
      const source = "class A {\n    run() {\n        █\n    }\n}\n";
      assert.equal(complete(source, "if (x) {\n\t\tgo();\n\t}\n", "typescript", true), "if (x) {\n        go();\n    }");
    });

    it("does not indent the first line twice", () => {
      assert.equal(complete("def f():\n    █", "    return 1\n", "python", true), "return 1");
    });
  });

  describe("streaming", () => {
    it("asks to stop generating as soon as the block is complete", () => {
      const filter = new CompletionStreamFilter({ prefix: "if (ok) {\n  ", suffix: "\n}\n", languageId: "typescript", multiline: true });
      assert.equal(filter.push("run();\n"), false);
      assert.equal(filter.push("}\n"), true);
      assert.equal(filter.finish(), "run();");
      assert.equal(filter.stoppedBy, "block-end");
    });

    it("judges by the request it was made with, even when the caller's object changes before the first chunk", () => {
      const req = { prefix: "if (ok) {\n  ", suffix: "\n}\n", languageId: "typescript", multiline: true };
      const filter = new CompletionStreamFilter(req);
      req.multiline = false;
      req.prefix = "x = ";
      assert.equal(filter.push("run();\n"), false);
      assert.equal(filter.push("}\n"), true);
      assert.equal(filter.finish(), "run();");
    });

    it("gives the same result whatever the chunking", async () => {
      const req = { prefix: "def f(x):\n    ", suffix: "\n\nprint(f(2))\n", languageId: "python", multiline: true };
      const text = "y = x * 2\n    return y\n\nprint(f(2))\n";
      async function* chunks(size: number): AsyncGenerator<string> {
        for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
      }
      const whole = postprocessCompletion({ ...req, completion: text });
      assert.equal(whole, "y = x * 2\n    return y");
      for (const size of [1, 3, 7]) assert.equal(await postprocessStream(chunks(size), req), whole);
    });
  });

  describe("hostile output", () => {
    it("trims a completion with a long run of spaces inside it in linear time", () => {
      // /\s+$/ retries the run from each of its spaces: 40,000 spaces took 1.5 s. CPU time of 4 times the run
      // against 1 time: about 4 for linear work, 16 for quadratic.
      const completion = (scale: number) => "a" + " ".repeat(10_000 * scale) + "b   ";
      assert.equal(complete("let x = █\n", completion(4), "typescript", false), "a" + " ".repeat(40_000) + "b");
      const growth = cpuGrowth((scale) => complete("let x = █\n", completion(scale), "typescript", false), 4);
      assert.ok(growth.ratio < 8, growth.shown);
    });
  });
});
