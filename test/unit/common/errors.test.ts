import { strict as assert } from "node:assert";
import { errorMessage } from "../../../src/common/errors";

describe("errorMessage", () => {
  it("gives an Error's message without its name or stack", () => {
    assert.equal(errorMessage(new TypeError("bad input")), "bad input");
  });

  it("gives anything else that was thrown as text", () => {
    assert.deepEqual([errorMessage("plain"), errorMessage(42), errorMessage(undefined), errorMessage(null)], ["plain", "42", "undefined", "null"]);
  });
});
