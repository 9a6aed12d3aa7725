import * as assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { silentLogger } from "../../../src/common/logger";
import { ContextEngine } from "../../../src/context/context-engine";
import type { AssembledContext } from "../../../src/context/context-types";
import { ImportResolver } from "../../../src/context/index/import-resolver";
import { extractImports } from "../../../src/context/imports";
import { SyntaxRuntime } from "../../../src/context/syntax-runtime";
import { cursor, grammarsDir, indexedFolderForSuite, sharedIndex } from "./fixtures";

/** A small asyncio-like package: modules import each other with `from . import x` and use `x.member`. */
const PACKAGE: Record<string, string> = {
  "aio/__init__.py": "from .events import *\nfrom .tasks import *\n",
  "aio/constants.py": `
LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5
ACCEPT_RETRY_DELAY = 1
DEBUG_STACK_DEPTH = 10
SSL_HANDSHAKE_TIMEOUT = 60.0
SENDFILE_FALLBACK_READBUFFER_SIZE = 1024 * 256
`,
  "aio/coroutines.py": `
def iscoroutine(obj):
    return type(obj) in _COROUTINE_TYPES
`,
  "aio/events.py": `
class Handle:
    """Object returned by callback registration methods."""

    def __init__(self, callback, args, loop, context=None):
        self._callback = callback
        self._args = args
        self._loop = loop

    def cancel(self):
        self._cancelled = True


class AbstractEventLoopPolicy:
    def get_event_loop(self):
        raise NotImplementedError

    def set_event_loop(self, loop):
        raise NotImplementedError


def get_running_loop():
    """Return the running event loop.  Raise a RuntimeError if there is none."""
    loop = _get_running_loop()
    if loop is None:
        raise RuntimeError('no running event loop')
    return loop


def set_event_loop(loop):
    """Equivalent to calling get_event_loop_policy().set_event_loop(loop)."""
    get_event_loop_policy().set_event_loop(loop)
`,
  "aio/streams.py": `
from . import coroutines
from . import constants
from . import events


class StreamWriter:
    def __init__(self, transport, protocol, reader, loop):
        self._transport = transport
        self._loop = loop

    def write(self, data):
        if self._conn_lost:
            if self._conn_lost >= constants.DEBUG_STACK_DEPTH:
                return
        self._transport.write(data)

    async def drain(self):
        if self._reader is not None:
            exc = self._reader.exception()
        if self._conn_lost:
            █
        await self._protocol._drain_helper()


async def open_connection(host=None, port=None, *, limit=2 ** 16, **kwds):
    loop = events.get_running_loop()
    reader = StreamReader(limit=limit, loop=loop)
    return reader


def start_loop(loop):
    events.set_event_loop(loop)
`,
};

/** PACKAGE written to a new temporary folder. */
function writePackage(): string {
  const dir = mkdtempSync(join(tmpdir(), "hearth-py-"));
  for (const [rel, text] of Object.entries(PACKAGE)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text.replace("█", ""));
  }
  return dir;
}

describe("Python definitions and module outlines", function () {
  this.timeout(20_000);
  let engine: ContextEngine;

  const folder = indexedFolderForSuite(writePackage);
  beforeEach(() => {
    engine = new ContextEngine({
      grammarsDir,
      logger: silentLogger,
      readFile: async () => null,
      symbolIndex: sharedIndex(folder.index),
      indexTimeoutMs: 5000,
    });
  });
  afterEach(() => engine.dispose());

  /** The streams module with the cursor at █ (or right after `anchor`, the █ removed). */
  async function assembleInStreams(budgetTokens: number, anchor?: string): Promise<AssembledContext> {
    const path = join(folder.dir, "aio/streams.py");
    let source = PACKAGE["aio/streams.py"];
    if (anchor) source = source.replace("█", "").replace(anchor, anchor + "█");
    const { text, offset } = cursor(source);
    engine.openDocument(path, "python", text, 1);
    await engine.whenParsed(path);
    return engine.assemble({ uri: path, languageId: "python", text, offset, budgetTokens });
  }

  const itemFor = (ctx: AssembledContext, kind: string, symbol: string) => ctx.items.find((i) => i.kind === kind && i.symbol === symbol);

  it("brings definitions from every module of consecutive `from . import x` statements, not only the first", async () => {
    const ctx = await assembleInStreams(2048, "loop = events.get_running_loop()\n    ");
    const found = itemFor(ctx, "definition", "get_running_loop");
    assert.equal(found?.path, join(folder.dir, "aio/events.py"));
    assert.equal(found?.source, "imported-file");
  });

  it("outlines an imported module's top-level members, without its classes' methods", async () => {
    const ctx = await assembleInStreams(2048);
    const outline = itemFor(ctx, "outline", "constants");
    assert.equal(outline?.path, join(folder.dir, "aio/constants.py"));
    assert.match(outline?.text ?? "", /^LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5$/m);
    const events = itemFor(ctx, "outline", "events");
    assert.match(events?.text ?? "", /^class Handle:$/m);
    assert.match(events?.text ?? "", /^def get_running_loop\(\):$/m);
    assert.doesNotMatch(events?.text ?? "", /def cancel|def __init__/);
  });

  it("keeps a definition of a module's member next to that module's outline", async () => {
    const ctx = await assembleInStreams(2048, "loop = events.get_running_loop()\n    ");
    assert.ok(itemFor(ctx, "outline", "events"));
    assert.ok(itemFor(ctx, "definition", "get_running_loop"), "the outline spans the definition's lines, yet both are kept");
  });

  it("prefers a module's own function to a class's method of the same name", async () => {
    const result = await folder.index.query({
      fromPath: join(folder.dir, "aio/streams.py"),
      languageId: "python",
      imports: [{ specifier: ".", names: ["events"] }],
      names: ["set_event_loop"],
      maxPerName: 1,
    });
    assert.match(result?.definitions[0]?.text ?? "", /^def set_event_loop\(loop\):/);
  });

  it("reads the imports of a file whose syntax the line being typed broke", async () => {
    const runtime = new SyntaxRuntime(grammarsDir, silentLogger);
    try {
      const grammar = await runtime.load("python");
      assert.ok(grammar);
      const text = "from . import events\nfrom .tasks import sleep\n\n\nclass Reader(Base):\n    def __init__(self, a,\n                 \n        pass\n";
      const tree = grammar.parser.parse(text);
      assert.ok(tree);
      try {
        assert.equal(tree.rootNode.hasError, true);
        const imports = extractImports(text, "python", tree, grammar.spec);
        assert.deepEqual(imports.map((i) => [i.specifier, i.names]), [[".", ["events"]], [".tasks", ["sleep"]]]);
      } finally {
        tree.delete();
      }
    } finally {
      runtime.dispose();
    }
  });

  it("does not resolve the standard library's modules to the folder above the workspace", () => {
    writeFileSync(join(folder.dir, "threading.py"), "class Thread:\n    pass\n");
    const resolver = new ImportResolver(() => [join(folder.dir, "aio")]);
    const from = join(folder.dir, "aio", "streams.py");
    assert.equal(resolver.resolve(from, "threading", "python"), null);
    assert.equal(resolver.resolve(from, "aio.events", "python"), join(folder.dir, "aio", "events.py"), "the workspace imports itself by name");
  });
});
