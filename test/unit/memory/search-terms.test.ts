import assert from "node:assert/strict";
import { expansionOf, identifierWords, queryTerms, searchableText } from "../../../src/memory/search-terms";

describe("memory/search-terms", () => {
  it("splits camelCase, PascalCase, snake_case and acronyms into lower-case words", () => {
    assert.deepEqual(identifierWords("retryFailedUpload"), ["retry", "failed", "upload"]);
    assert.deepEqual(identifierWords("HTTPServerError"), ["http", "server", "error"]);
    assert.deepEqual(identifierWords("retry_failed_upload"), ["retry", "failed", "upload"]);
    assert.deepEqual(identifierWords("upload"), []);
  });

  it("adds to a chunk's searchable text the words of its identifiers and of the abbreviations in them", () => {
    const text = searchableText("def sqrt_of(fd):\n    return getCurrentPos(fd)");
    const added = text.split("\n").slice(2).join(" ").split(" ");
    for (const word of ["sqrt", "square", "root", "file", "descriptor", "get", "current", "pos", "position"]) assert.ok(added.includes(word), word);
  });

  it("reads constructor, __proto__ and hasOwnProperty as words, not as the abbreviation table's own keys", () => {
    assert.equal(expansionOf("constructor"), null);
    assert.equal(expansionOf("__proto__"), null);
    assert.doesNotThrow(() => searchableText("constructor() { this.__proto__ = hasOwnProperty; toString(); }"));
  });

  it("turns a question into its words and its identifiers' words, without punctuation", () => {
    assert.equal(queryTerms("Where is retryFailedUpload called?"), "Where is retryFailedUpload called retry failed upload");
  });
});
