import { strict as assert } from "node:assert";
import { ACTION_SYSTEM_PROMPT, buildActionMessages, explainQuestion, type ActionPromptInput } from "../../../src/actions/prompts";

const base: ActionPromptInput = {
  action: "document",
  languageId: "typescript",
  path: "src/math.ts",
  target: "export function add(a: number, b: number): number {\n  return a + b;\n}",
  startLine: 2,
};

const user = (input: Partial<ActionPromptInput>) => {
  const messages = buildActionMessages({ ...base, ...input });
  assert.equal(messages.length, 2);
  assert.deepEqual(messages[0], { role: "system", content: ACTION_SYSTEM_PROMPT });
  assert.equal(messages[1]!.role, "user");
  return messages[1]!.content;
};

describe("action prompts", () => {
  it("shows the code with its path, line and language tag, and asks for one replacement block", () => {
    const text = user({});
    assert.match(text, /The code, from src\/math\.ts line 2:\n```typescript\nexport function add/);
    assert.match(text, /complete replacement for the code above in one ```typescript block/);
  });

  const conventions: [string, RegExp][] = [
    ["typescript", /TSDoc/],
    ["javascript", /JSDoc: .*@param \{type\}/],
    ["python", /docstring.*first statement of the body/],
    ["go", /Go doc comment.*starting with the declared name/],
    ["rust", /\/\/\/ line comments/],
    ["java", /Javadoc.*@throws/],
  ];
  for (const [languageId, convention] of conventions) {
    it(`documents ${languageId} with its own convention`, () => {
      assert.match(user({ languageId }), convention);
    });
  }

  it("puts the diagnostics into a fix prompt, and asks to find bugs without them", () => {
    const text = user({ action: "fix", diagnostics: [{ line: 3, message: "Type 'string' is not assignable to type 'number'.", source: "ts" }] });
    assert.match(text, /Fix these problems reported in it:\n- line 3: Type 'string' is not assignable to type 'number'\. \(ts\)/);
    assert.match(user({ action: "fix", diagnostics: [] }), /Find and fix the bugs in it\./);
  });

  it("passes the user's instruction through for an edit", () => {
    assert.match(user({ action: "edit", instruction: "use early returns" }), /Task: use early returns\n/);
  });

  it("names the project's test framework and the test file, and follows an existing test file", () => {
    const text = user({ action: "tests", framework: { id: "vitest", name: "vitest", evidence: "package.json" }, testPath: "src/math.test.ts" });
    assert.match(text, /with vitest, the framework this project uses, for the test file src\/math\.test\.ts/);
    assert.match(text, /Include the imports the tests need/);
    const existing = user({ action: "tests", framework: { id: "mocha", name: "mocha (with node:assert)", evidence: "" }, testPath: "test/math.test.ts", existingTests: "import { add } from '../src/math';\n" });
    assert.match(existing, /The existing test file test\/math\.test\.ts begins:\n```typescript\nimport \{ add \}/);
    assert.match(existing, /no repeated imports/);
    assert.match(user({ action: "tests", languageId: "rust", framework: { id: "cargo-test", name: "cargo test", evidence: "" } }), /#\[cfg\(test\)\] mod tests to append to the same file/);
    assert.match(user({ action: "tests", languageId: "python", framework: null }), /the usual test framework for python/);
  });

  it("adds imports, definitions and the lines around the target as context, within a budget", () => {
    const text = user({
      imports: "import { sum } from './sum';",
      definitions: [
        { path: "src/sum.ts", text: "export function sum(xs: number[]): number { return 0; }" },
        { path: "src/huge.ts", text: "x".repeat(10_000) },
      ],
      before: "// Math helpers.",
      after: "export function sub() {}",
    });
    assert.match(text, /Imports of src\/math\.ts:\n```typescript\nimport \{ sum \}/);
    assert.match(text, /From src\/sum\.ts:/);
    assert.doesNotMatch(text, /src\/huge\.ts/);
    assert.ok(text.indexOf("// Math helpers.") < text.indexOf("export function add"));
    assert.ok(text.indexOf("export function sub") > text.indexOf("export function add"));
  });

  it("uses a longer fence when the code contains one", () => {
    assert.match(user({ target: "const md = `\n```\n`;" }), /````typescript\nconst md/);
  });

  it("sends the project's rules after the system rule, and nothing more when there are none", () => {
    const messages = buildActionMessages({ ...base, rules: "The project's rules for assistants follow.\n\nFrom AGENTS.md:\nUse tabs." });
    assert.equal(messages[0]!.content, `${ACTION_SYSTEM_PROMPT}\n\nThe project's rules for assistants follow.\n\nFrom AGENTS.md:\nUse tabs.`);
    assert.equal(buildActionMessages({ ...base, rules: "" })[0]!.content, ACTION_SYSTEM_PROMPT);
  });

  it("asks Explain in words, with the problems when there are some", () => {
    assert.match(explainQuestion("function add"), /^Explain what function add does/);
    assert.match(explainQuestion("the selected code", [{ line: 4, message: "unused variable" }]), /line 4: unused variable/);
  });
});
