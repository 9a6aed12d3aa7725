// The engine build's own process (dist/engine-build.mjs DIR): node-llama-cpp's source build for this CPU into DIR,
// apart from the engine process so that neither holds two node-llama-cpp modules. Its stdout carries the compiler's
// lines and Hearth's own, prefixed (engine/engine-build.ts reads both for the progress display).
import { errorMessage } from "../../common/errors.js";
import { BUILD_LINE } from "../engine-build-lines.js";
import { endWithParent } from "./build-lifetime.mjs";
import { buildEngineForThisCpu, installedPackageDir } from "./engine-build.mjs";

endWithParent();

const dir = process.argv[2];
if (!dir) {
  process.stderr.write("usage: engine-build.mjs <folder to build in>\n");
  process.exit(2);
}
buildEngineForThisCpu({ dir, packageDir: installedPackageDir(), onStep: (step) => process.stdout.write(`\n${BUILD_LINE.step}${step}\n`) }).then(
  (marker) => {
    process.stdout.write(`\n${BUILD_LINE.done}${JSON.stringify(marker)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stdout.write(`\n${BUILD_LINE.error}${errorMessage(error).replace(/\s+/g, " ")}\n`);
    process.exit(1);
  },
);
