import { silentLogger } from "../../../../src/common/logger";
import { DocumentStore } from "../../../../src/context/document-store";
import { RecentFiles } from "../../../../src/context/recent-files";
import { SyntaxRuntime } from "../../../../src/context/syntax-runtime";
import { grammarsDir } from "../fixtures";

/** Open documents (by path) and the recent files over them, as the engine keeps them; files not open read as missing. */
export function recentFilesOver(open: Record<string, string>): { recentFiles: RecentFiles; dispose(): void } {
  const runtime = new SyntaxRuntime(grammarsDir, silentLogger);
  const documents = new DocumentStore(runtime, silentLogger);
  for (const [path, text] of Object.entries(open)) documents.open(path, "typescript", text, 1);
  const recentFiles = new RecentFiles({ documents, readFile: async () => null, pathOf: (uri) => uri });
  return {
    recentFiles,
    dispose: () => {
      recentFiles.dispose();
      documents.dispose();
      runtime.dispose();
    },
  };
}
