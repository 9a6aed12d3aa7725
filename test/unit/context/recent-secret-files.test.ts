// A secrets file the user glanced at (.env, a private key) is no "recent file": its lines must not ride along as
// snippets or recent edits in the prompts of the code typed next, which go to the model (to an inference server,
// where one is set) and come back as ghost text that would write the live key into the source.
import * as assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { silentLogger } from "../../../src/common/logger";
import { ContextEngine } from "../../../src/context/context-engine";
import { InThreadSymbolIndex } from "../../../src/context/index/symbol-index";
import { isSecretFile } from "../../../src/context/secret-files";
import { cursor, grammarsDir } from "./fixtures";
import { tempWorkspaceEachTest } from "../helpers/temp-workspace";

const SECRET = "sk_live_51HxQzLKj2eZvKYlo2C8v7Xq";
const DOTENV = `STRIPE_SECRET_KEY=${SECRET}\nSTRIPE_WEBHOOK_SECRET=whsec_9f8e7d6c\nDATABASE_URL=postgres://app:hunter2@db/app\n`;
const CONFIG = "export const stripe = {\n  secretKey: process.env.STRIPE_SECRET_KEY,\n  webhookSecret: process.env.STRIPE_WEBHOOK_SECRET,\n  █\n};\n";

describe("context: secrets files are never recent files", function () {
  this.timeout(20_000);
  const ws = tempWorkspaceEachTest("hearth-secret-files-");
  let engine: ContextEngine;
  let index: InThreadSymbolIndex;
  beforeEach(() => {
    index = new InThreadSymbolIndex({ grammarsDir, logger: silentLogger });
    engine = new ContextEngine({ grammarsDir, logger: silentLogger, readFile: (path) => readFile(path, "utf8").catch(() => null), symbolIndex: index, indexTimeoutMs: 5000 });
  });
  afterEach(() => {
    engine.dispose();
    index.dispose();
  });

  const assembleConfig = async () => {
    const path = await ws.put("src/config.ts", CONFIG.replace("█", ""));
    const { text, offset } = cursor(CONFIG);
    engine.openDocument(path, "typescript", text, 1);
    await engine.whenParsed(path);
    return engine.assemble({ uri: path, languageId: "typescript", text, offset, budgetTokens: 1024 });
  };

  it("sends no line of a visited .env file with the code typed next", async () => {
    const dotenv = await ws.put(".env", DOTENV);
    engine.noteVisited(dotenv);
    assert.equal(await engine.whenRecentFilesReady(), true);
    const ctx = await assembleConfig();
    assert.deepEqual(ctx.items.filter((i) => i.text.includes(SECRET)).map((i) => `${i.kind} ${i.path}`), []);
  });

  it("sends no line of a .env file the user just edited, as a recent edit elsewhere", async () => {
    const dotenv = await ws.put(".env.local", DOTENV);
    engine.openDocument(dotenv, "dotenv", DOTENV, 1);
    const edited = DOTENV.replace("whsec_", "whsec_x");
    engine.applyEdit(dotenv, [{ startOffset: DOTENV.indexOf("whsec_"), endOffset: DOTENV.indexOf("whsec_") + 6, text: "whsec_x" }], 2);
    engine.noteEdited(dotenv, edited.indexOf("whsec_"));
    assert.equal(await engine.whenRecentFilesReady(), true);
    const ctx = await assembleConfig();
    assert.deepEqual(ctx.items.filter((i) => i.text.includes(SECRET)).map((i) => `${i.kind} ${i.path}`), []);
  });

  it("still sends snippets of an ordinary file visited lately", async () => {
    const billing = await ws.put("src/billing.ts", `// Stripe keys\nconst STRIPE_SECRET_KEY = process.env.STRIPE_SECRET_KEY;\nconst STRIPE_WEBHOOK_SECRET = process.env.STRIPE_WEBHOOK_SECRET;\n`);
    engine.noteVisited(billing);
    assert.equal(await engine.whenRecentFilesReady(), true);
    const ctx = await assembleConfig();
    assert.ok(ctx.items.some((i) => i.kind === "snippet" && i.path === billing), ctx.items.map((i) => `${i.kind} ${i.path}`).join(", "));
  });

  it("knows the usual secrets files by name, and not ordinary code", () => {
    for (const path of ["/w/.env", "/w/.env.production", "/w/config/.env.local", "/home/me/.ssh/id_rsa", "/home/me/.ssh/id_ed25519.pub", "/w/certs/server.key", "/w/certs/client.pem", "/w/store.p12", "/home/me/.npmrc", "/home/me/.netrc", "C:\\w\\.env"]) {
      assert.equal(isSecretFile(path), true, path);
    }
    for (const path of ["/w/src/env.ts", "/w/src/keys.ts", "/w/environment.py", "/w/.envrc.example.md", "/w/src/id_rsa_parser.ts"]) assert.equal(isSecretFile(path), false, path);
  });
});
