import { strict as assert } from "node:assert";
import { DisposableStore, toDisposable } from "../../../src/common/disposable";

describe("disposables", () => {
  it("toDisposable releases once however often it is disposed", () => {
    let released = 0;
    const d = toDisposable(() => released++);
    d.dispose();
    d.dispose();
    assert.equal(released, 1);
  });

  it("a store releases everything added, in the order it was added", () => {
    const order: string[] = [];
    const store = new DisposableStore();
    store.add(toDisposable(() => order.push("a")), toDisposable(() => order.push("b")));
    store.add(toDisposable(() => order.push("c")));
    store.dispose();
    assert.deepEqual(order, ["a", "b", "c"]);
  });

  it("a store releases the rest when one throws, then throws the first error", () => {
    const order: string[] = [];
    const store = new DisposableStore();
    store.add(
      toDisposable(() => { throw new Error("first"); }),
      toDisposable(() => order.push("b")),
      toDisposable(() => { throw new Error("second"); }),
      toDisposable(() => order.push("d")),
    );
    assert.throws(() => store.dispose(), /first/);
    assert.deepEqual(order, ["b", "d"]);
  });

  it("a store releases at once what is added after it was disposed", () => {
    const store = new DisposableStore();
    store.dispose();
    let released = false;
    store.add(toDisposable(() => (released = true)));
    assert.equal(released, true);
  });

  it("clear releases what was added so far and keeps taking new items", () => {
    const order: string[] = [];
    const store = new DisposableStore();
    store.add(toDisposable(() => order.push("first view")));
    store.clear();
    store.add(toDisposable(() => order.push("second view")));
    assert.deepEqual(order, ["first view"]);
    store.dispose();
    assert.deepEqual(order, ["first view", "second view"]);
  });
});
