import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MemoryLogger } from "../../../src/common/logger";
import { ServerEngine } from "../../../src/engine/server/server-engine";
import type { ServerSettings } from "../../../src/engine/server/server-settings";

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/**
 * Small HTTP servers on 127.0.0.1 for one describe block, each answering a request once its body has arrived, and the
 * server engines pointed at them; after each test the engines are disposed, then the servers closed.
 */
export function loopbackServers() {
  const servers: Server[] = [];
  const engines: ServerEngine[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.dispose()));
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      server.close();
    }
  });
  /** A server answering with `handler`; `hits` counts its requests per path, `close` stops it now (a server down). */
  const serve = async (handler: Handler): Promise<{ url: string; hits: Map<string, number>; close(): void }> => {
    const hits = new Map<string, number>();
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        hits.set(req.url ?? "", (hits.get(req.url ?? "") ?? 0) + 1);
        handler(req, res, body);
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, close: () => server.close() };
  };
  const listen = async (handler: Handler): Promise<string> => (await serve(handler)).url;
  const engineAt = (url: string, completionModel = "", settings: Partial<ServerSettings> = {}): ServerEngine => {
    const engine = new ServerEngine({ url, models: { completion: completionModel, chat: "", embedding: "" }, timeoutMs: 5000, fimFormat: "qwen", retryDelaysMs: [], ...settings }, new MemoryLogger());
    engines.push(engine);
    return engine;
  };
  return { serve, listen, engineAt, open: async (handler: Handler) => engineAt(await listen(handler)) };
}
