// The `hearth` command: the product's pipelines from a terminal, for scripting, debugging and benches.
//   hearth complete FILE:LINE:COL   the suggestion the editor would show there (JSON, or the bare text with --text)
//   hearth action NAME FILE:LINE     a refactor action's proposal as a patch (or JSON with --json); nothing is written
//   hearth chat "question"          the engine's answer, streamed to stdout (timings on stderr)
//   hearth bench [NAME ...]         the benches, from a source checkout
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { isAbortError } from "../common/abort";
import { errorMessage } from "../common/errors";
import { numberOption, parseArgs, stringOption, UsageError, type OptionSpec, type ParsedArgs } from "./args";
import { readActionCommand, runActionCommand } from "./action";
import { complete, readCompleteRequest } from "./complete";
import { findInstall, loadModel, stderrLogger, withEngine } from "./runtime";
import { readCliSettings, SETTING_FLAGS, settingDefaults } from "./settings";

const USAGE = `usage:
  hearth complete FILE:LINE:COL [--workspace DIR] [--open FILE]... [--language ID] [--text]
  hearth action fix|document|tests|edit FILE:LINE|FILE:START-END [--instruction TEXT] [--problem TEXT]... [--json]
  hearth chat "question" [--system TEXT] [--max-tokens 512]
  hearth bench [activation|context|engine|inline ...]   (from a source checkout; figures go to bench/RESULTS.md)
settings (as the extension reads them; each over the one before):
  --settings FILE        a settings.json with "hearth.*" keys (comments allowed)
  HEARTH_MODEL=PATH      the model, from the environment
  --model PATH  --chat-model PATH  --threads N  --context-size N  --gpu auto|off  --context-tokens N
  --verbose              engine and pipeline log lines on stderr
complete:
  --workspace DIR        the workspace folder: indexed, and what prompt paths are relative to
                         (default: the current folder if FILE is in it, else FILE's folder)
  --open FILE            another file open in the editor, visited before FILE (repeatable, in order)
  --language ID          the file's language (default: from its extension)
  --text                 print only the suggestion, nothing when there is none (default: one JSON object)
action (the file's declaration at LINE, or the lines START-END; --workspace, --open, --language as for complete):
  --instruction TEXT     what edit should change (required for edit)
  --problem TEXT         a problem fix should fix, reported at the target's first line (repeatable)
  --json                 one JSON object (default: the proposal as a patch for git apply; exit code 1 without one)`;

const SETTINGS_OPTIONS: OptionSpec = { flags: ["verbose", "help"], values: ["settings", ...Object.keys(SETTING_FLAGS)] };
const COMMAND_OPTIONS: Record<string, OptionSpec> = {
  complete: { flags: [...SETTINGS_OPTIONS.flags, "text"], values: [...SETTINGS_OPTIONS.values, "workspace", "open", "language"] },
  action: { flags: [...SETTINGS_OPTIONS.flags, "json"], values: [...SETTINGS_OPTIONS.values, "workspace", "open", "language", "instruction", "problem"] },
  chat: { flags: SETTINGS_OPTIONS.flags, values: [...SETTINGS_OPTIONS.values, "system", "max-tokens"] },
};

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help") {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (command === "bench") return bench(rest);
  const spec = COMMAND_OPTIONS[command];
  if (!spec) throw new UsageError(`unknown command "${command}"`);
  const args = parseArgs(rest, spec);
  if (args.options.has("help")) {
    console.log(USAGE);
    return 0;
  }
  if (command === "complete") return runComplete(args);
  return command === "action" ? runActionCli(args) : chat(args);
}

async function runComplete(args: ParsedArgs): Promise<number> {
  const cwd = process.cwd();
  const request = await readCompleteRequest(args, cwd);
  const session = openSession(args, request.session.workspace);
  const output = await withEngine(session, (engine) => complete(request, { ...session, engine }));
  if (args.options.has("text")) process.stdout.write(output.completion ?? "");
  else console.log(JSON.stringify(output, null, 2));
  return 0;
}

async function runActionCli(args: ParsedArgs): Promise<number> {
  const command = await readActionCommand(args, process.cwd());
  const session = openSession(args, command.session.workspace);
  const output = await withEngine(session, (engine) => runActionCommand(command, { ...session, engine }));
  if (args.options.has("json")) console.log(JSON.stringify(output, null, 2));
  else if (output.diff) process.stdout.write(output.diff);
  if (output.message && !args.options.has("json")) console.error(`hearth: ${output.message}`);
  return output.status === "proposed" ? 0 : 1;
}

async function chat(args: ParsedArgs): Promise<number> {
  const question = args.positionals.join(" ").trim();
  if (!question) throw new UsageError('chat needs a question, e.g. hearth chat --model M "What does this regex match?"');
  const system = stringOption(args, "system");
  const maxTokens = numberOption(args, "max-tokens", 512);
  const session = openSession(args, process.cwd());
  return withEngine(session, async (engine) => {
    await loadModel(engine, { ...session, role: "chat" });
    const result = await engine.chat(
      { messages: [...(system ? [{ role: "system" as const, content: system }] : []), { role: "user", content: question }], maxTokens },
      { onChunk: (chunk) => process.stdout.write(chunk) },
    );
    process.stdout.write("\n");
    console.error(JSON.stringify({ stopReason: result.stopReason, promptTokens: result.promptTokens, generatedTokens: result.generatedTokens, timings: result.timings }));
    return 0;
  });
}

/** What every engine command shares: the install, the settings, the log, and Ctrl+C as an abort. */
function openSession(args: ParsedArgs, workspace: string) {
  const install = findInstall();
  const config = readCliSettings({ args, defaults: settingDefaults(install.packageJson), cwd: process.cwd(), env: process.env });
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  return { install, config, workspace, logger: stderrLogger(args.options.has("verbose")), signal: controller.signal };
}

/** The benches live with the sources (they need the test models and the harness), so this runs them from there. */
function bench(names: readonly string[]): number {
  const runner = join(findInstall().root, "out", "bench", "run.js");
  if (!existsSync(runner)) {
    throw new UsageError("the benches run from a source checkout of Hearth after a build: npm run bench (or node scripts/build.mjs first)");
  }
  const result = spawnSync(process.execPath, [runner, ...names], { stdio: "inherit" });
  return result.status ?? 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`hearth: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (isAbortError(error)) process.exit(130);
    console.error(`hearth: ${errorMessage(error)}`);
    process.exit(1);
  },
);
