import { strict as assert } from "node:assert";
import { isScriptFunctionLine, prepareFile } from "../../../../bench/memory/retrieval-questions";

describe("bench: retrieval questions from docstrings and JSDoc", () => {
  it("asks a Python docstring's first sentence, leaves the docstring out of the indexed copy and answers the def's line", () => {
    const source = ['import os', '', 'def retry_upload(path, tries=3):', '    """Send the file again until the server takes it.', '', '    More prose.', '    """', '    return os.stat(path)', ''].join("\n");
    const { text, questions } = prepareFile(source, "python");
    assert.deepEqual(questions, [{ line: 2, question: "Send the file again until the server takes it." }]);
    assert.equal(text.split("\n")[2], "def retry_upload(path, tries=3):");
    assert.equal(text.split("\n")[3], "    pass");
    assert.doesNotMatch(text, /server takes it|More prose/);
  });

  it("asks a JSDoc block's prose before its tags, leaves the block out and answers the declaration's line in the copy", () => {
    const source = ["const a = 1;", "/**", " * Sends the file again until the server takes it.", " * Second sentence.", " * @param {string} path the file", " */", "export async function retryUpload(path) {", "  return a;", "}"].join("\n");
    const { text, questions } = prepareFile(source, "javascript");
    assert.deepEqual(questions, [{ line: 1, question: "Sends the file again until the server takes it." }]);
    assert.equal(text.split("\n")[1], "export async function retryUpload(path) {");
    assert.doesNotMatch(text, /server takes it|@param|\/\*\*/);
  });

  it("keeps a JSDoc block that documents no function, and asks nothing of it", () => {
    const source = ["/**", " * The options of the upload queue, all of them.", " */", "const OPTIONS = { tries: 3 };"].join("\n");
    const { text, questions } = prepareFile(source, "typescript");
    assert.deepEqual(questions, []);
    assert.equal(text, source);
  });

  it("asks nothing of a comment shorter than four words, but still leaves it out", () => {
    const { text, questions } = prepareFile(["/** Gets the size. */", "size() {", "}"].join("\n"), "javascript");
    assert.deepEqual(questions, []);
    assert.equal(text, ["size() {", "}"].join("\n"));
  });

  it("knows function declarations, arrows, assigned functions and methods from statements and calls", () => {
    for (const line of ["function f(a) {", "export default async function* gen() {", "const f = (a, b) => {", "export const f = async x => x;", "module.exports.f = function (a) {", "  static async create(options) {", "  get head() {", "  private retry<T>(task: Task<T>): Promise<T> {", "  constructor(upper, label,"]) {
      assert.equal(isScriptFunctionLine(line), true, line);
    }
    for (const line of ["  if (done) {", "  for (const x of xs) {", "  return (", "const OPTIONS = { tries: 3 };", "  context.report({", "  doSomething(a);"]) {
      assert.equal(isScriptFunctionLine(line), false, line);
    }
  });
});
