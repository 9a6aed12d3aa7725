// The `hearth` command: the engine and the completion pipeline from a terminal, for scripting, debugging and benches.
//   hearth complete --model M FILE:LINE:COL [--max-tokens N] [--max-lines N] [--threads N]
//   hearth chat --model M "question" [--system "…"] [--max-tokens N]
// Output: `complete` prints one JSON object; `chat` streams the answer to stdout and its timings to stderr.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isAbortError } from "../common/abort";
import type { Logger } from "../common/logger";
import { EngineClient, type EngineSettings } from "../engine/client";
import { EngineError } from "../engine/protocol";
import { numberOption, offsetAt, parseArgs, parseFilePosition, stringOption, UsageError, type ParsedArgs } from "./args";

const USAGE = `usage:
  hearth complete --model MODEL.gguf FILE:LINE:COL [--max-tokens 64] [--max-lines 0] [--threads N] [--context 4096]
  hearth chat --model MODEL.gguf "question" [--system TEXT] [--max-tokens 512] [--threads N] [--context 4096]
  hearth bench [activation|context|engine|inline ...]   (from a source checkout; figures go to bench/RESULTS.md)
options:
  --verbose   engine log lines on stderr`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const args = parseArgs(rest, ["verbose", "help"]);
  if (!command || command === "help" || command === "--help" || args.options.has("help")) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  switch (command) {
    case "complete":
      return complete(args);
    case "chat":
      return chat(args);
    case "bench":
      return bench(rest);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function complete(args: ParsedArgs): Promise<number> {
  const spec = args.positionals[0];
  if (!spec) throw new UsageError("complete needs FILE:LINE:COL");
  const { file, line, column } = parseFilePosition(spec);
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${error.code ?? error.message}`);
  });
  const offset = offsetAt(text, line, column);
  return withEngine(args, async (engine) => {
    const started = performance.now();
    const result = await engine.infill({
      prefix: text.slice(0, offset),
      suffix: text.slice(offset),
      maxTokens: numberOption(args, "max-tokens", 64),
      maxLines: numberOption(args, "max-lines", 0),
    });
    const model = engine.status.kind === "ready" ? engine.status.model : undefined;
    console.log(
      JSON.stringify(
        {
          completion: result.text,
          stopReason: result.stopReason,
          promptTokens: result.promptTokens,
          generatedTokens: result.generatedTokens,
          timings: { ...result.timings, wallMs: Math.round(performance.now() - started), modelLoadMs: model?.loadMs ?? null },
          model: model ? { name: model.name, architecture: model.architecture, threads: model.threads } : null,
        },
        null,
        2,
      ),
    );
    return 0;
  });
}

async function chat(args: ParsedArgs): Promise<number> {
  const question = args.positionals.join(" ").trim();
  if (!question) throw new UsageError('chat needs a question, e.g. hearth chat --model M "What does this regex match?"');
  const system = stringOption(args, "system");
  return withEngine(args, async (engine) => {
    const result = await engine.chat(
      {
        messages: [...(system ? [{ role: "system" as const, content: system }] : []), { role: "user", content: question }],
        maxTokens: numberOption(args, "max-tokens", 512),
      },
      { onChunk: (chunk) => process.stdout.write(chunk) },
    );
    process.stdout.write("\n");
    console.error(JSON.stringify({ stopReason: result.stopReason, promptTokens: result.promptTokens, generatedTokens: result.generatedTokens, timings: result.timings }));
    return 0;
  });
}

/** The benches live with the sources (they need the test models and the harness), so this runs them from there. */
function bench(names: readonly string[]): number {
  const runner = join(__dirname, "..", "out", "bench", "run.js");
  if (!existsSync(runner)) {
    throw new UsageError("the benches run from a source checkout of Hearth after a build: npm run bench (or node scripts/build.mjs first)");
  }
  const result = spawnSync(process.execPath, [runner, ...names], { stdio: "inherit" });
  return result.status ?? 1;
}

async function withEngine(args: ParsedArgs, work: (engine: EngineClient) => Promise<number>): Promise<number> {
  const modelPath = stringOption(args, "model") ?? process.env.HEARTH_MODEL;
  if (!modelPath) throw new UsageError("--model MODEL.gguf is required (or set HEARTH_MODEL)");
  const verbose = args.options.has("verbose");
  const engine = new EngineClient({ workerPath: join(__dirname, "engine-worker.mjs"), logger: stderrLogger(verbose) });
  const settings: EngineSettings = {
    modelPath,
    threads: numberOption(args, "threads", 0),
    contextSize: numberOption(args, "context", 4096),
    gpu: stringOption(args, "gpu") === "off" ? "off" : "auto",
    idleUnloadMs: 0,
  };
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  try {
    const status = await engine.configure(settings);
    if (status.kind === "no-model") throw new UsageError(status.problem.message);
    return await work(engine);
  } finally {
    await engine.dispose();
  }
}

function stderrLogger(verbose: boolean): Logger {
  const write = (level: string) => (message: string | Error) => {
    if (verbose || level === "error") console.error(`[${level}] ${typeof message === "string" ? message : message.message}`);
  };
  return { trace: () => undefined, debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`hearth: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (isAbortError(error)) process.exit(130);
    console.error(`hearth: ${error instanceof EngineError || error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
