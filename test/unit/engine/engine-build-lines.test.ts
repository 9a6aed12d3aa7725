// How the engine build's output reads as progress: Hearth's own prefixed lines and the compiler's step counts.
import { strict as assert } from "node:assert";
import { BUILD_LINE, readBuildLine } from "../../../src/engine/engine-build-lines";

describe("engine build output", () => {
  it("reads ninja's [n/N] step count as the compiled fraction", () => {
    assert.deepEqual(readBuildLine("[24/153] Building CXX object llama.cpp/ggml/src/CMakeFiles/ggml-base.dir/ggml-threading.cpp.o"), { kind: "compiled", done: 24, total: 153 });
  });

  it("reads make's percentage as the compiled fraction", () => {
    assert.deepEqual(readBuildLine("[ 45%] Building CXX object CMakeFiles/llama-addon.dir/addon/addon.cpp.o"), { kind: "compiled", done: 45, total: 100 });
  });

  it("reads Hearth's step, done and error lines by their prefixes", () => {
    assert.deepEqual(readBuildLine(`${BUILD_LINE.step}copying node-llama-cpp 3.22.1`), { kind: "step", step: "copying node-llama-cpp 3.22.1" });
    assert.deepEqual(readBuildLine(`${BUILD_LINE.done}{"seconds":5}`), { kind: "done", marker: { seconds: 5 } });
    assert.deepEqual(readBuildLine(`${BUILD_LINE.error}cmake was not found`), { kind: "error", message: "cmake was not found" });
  });

  it("takes a step count past its total, a done line that is not JSON and compiler chatter for nothing", () => {
    assert.deepEqual(readBuildLine("[200/153] Linking"), { kind: "other" });
    assert.deepEqual(readBuildLine(`${BUILD_LINE.done}{not json`), { kind: "other" });
    assert.deepEqual(readBuildLine("-- Found OpenMP: TRUE (found version \"4.5\")"), { kind: "other" });
    assert.deepEqual(readBuildLine("[ 999%] Building"), { kind: "other" });
  });
});
