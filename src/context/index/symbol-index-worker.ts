// Entry of the workspace index worker (a worker_threads Worker): parsing thousands of files must never run on the
// extension host's thread. Bundled as dist/context-index-worker.js; tests run out/src/context/index/symbol-index-worker.js.
import { parentPort, workerData } from "node:worker_threads";
import { postingLogger } from "../../common/logger";
import { servingRequests } from "../../common/worker-requests";
import { SymbolIndexCore } from "./symbol-index-core";
import type { IndexMessage, IndexRequest, IndexResult, IndexWorkerData } from "./symbol-index-protocol";

const port = parentPort;
if (port) {
  const post = (m: IndexMessage): void => port.postMessage(m);
  const logger = postingLogger(post);
  const data = workerData as IndexWorkerData;
  const core = new SymbolIndexCore({ grammarsDir: data.grammarsDir, logger, limits: data.limits });
  const serve = servingRequests<IndexRequest, IndexResult>(post, async (req, signal) => {
    switch (req.type) {
      case "index-folders":
        return core.indexFolders(req.roots, signal);
      case "update-file":
        return core.indexFile(req.path, req.text, req.languageId);
      case "remove-file":
        core.removeFile(req.path);
        return true;
      case "query":
        return core.query(req.query);
      case "stats":
        return core.stats();
    }
  });
  port.on("message", serve);
}
