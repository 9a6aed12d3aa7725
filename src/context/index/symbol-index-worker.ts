// Entry of the workspace index worker (a worker_threads Worker): parsing thousands of files must never run on the
// extension host's thread. Bundled as dist/context-index-worker.js; tests run out/src/context/index/symbol-index-worker.js.
import { parentPort, workerData } from "node:worker_threads";
import { postingLogger } from "../../common/logger";
import { errorMessage } from "../../common/errors";
import { SymbolIndexCore } from "./symbol-index-core";
import type { IndexMessage, IndexRequest, IndexResult, IndexWorkerData } from "./symbol-index-protocol";

const port = parentPort;
if (port) {
  const post = (m: IndexMessage): void => port.postMessage(m);
  const logger = postingLogger(post);
  const data = workerData as IndexWorkerData;
  const core = new SymbolIndexCore({ grammarsDir: data.grammarsDir, logger, limits: data.limits });
  const running = new Map<number, AbortController>();

  const handle = async (req: IndexRequest): Promise<IndexResult> => {
    switch (req.type) {
      case "index-folders": {
        const controller = new AbortController();
        running.set(req.id, controller);
        try {
          return await core.indexFolders(req.roots, controller.signal);
        } finally {
          running.delete(req.id);
        }
      }
      case "update-file":
        return core.indexFile(req.path, req.text, req.languageId);
      case "remove-file":
        core.removeFile(req.path);
        return true;
      case "query":
        return core.query(req.query);
      case "stats":
        return core.stats();
      case "cancel":
        running.get(req.target)?.abort();
        return true;
    }
  };

  port.on("message", (req: IndexRequest) => {
    handle(req).then(
      (result) => post({ type: "reply", id: req.id, result }),
      (e: unknown) => post({ type: "failed", id: req.id, message: errorMessage(e) }),
    );
  });
}
