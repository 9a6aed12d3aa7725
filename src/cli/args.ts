/** A small argv parser: `--name value`, `--name=value`, `--flag`, and positionals; enough for the CLI and without a dependency. */
export interface ParsedArgs {
  positionals: string[];
  /** The last value of each option given; true for a flag. */
  options: Map<string, string | true>;
  /** Every value of each option, in order (`--open a --open b`). */
  lists: Map<string, string[]>;
}

/** The options a command takes: flags stand alone, the others take a value. */
export interface OptionSpec {
  flags: readonly string[];
  values: readonly string[];
}

/** Parses `argv`; an option the command does not take, or one without its value, is a UsageError naming it. */
export function parseArgs(argv: readonly string[], spec: OptionSpec): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (spec.flags.includes(name)) {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      options.set(name, true);
      continue;
    }
    if (!spec.values.includes(name)) throw new UsageError(`unknown option --${name}`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    options.set(name, value);
    lists.set(name, [...(lists.get(name) ?? []), value]);
  }
  return { positionals, options, lists };
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options.get(name);
  return typeof value === "string" ? value : undefined;
}

/** Every value given for a repeatable option, in order. */
export function listOption(args: ParsedArgs, name: string): string[] {
  return args.lists.get(name) ?? [];
}

export function numberOption(args: ParsedArgs, name: string, fallback: number): number {
  const value = stringOption(args, name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed)) throw new UsageError(`--${name} must be a number, not "${value}"`);
  return parsed;
}

/** A mistake in how the CLI was called: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** `FILE:LINE:COL`, 1-based like editors and compilers print them. */
export function parseFilePosition(spec: string): { file: string; line: number; column: number } {
  const match = /^(.+):(\d+):(\d+)$/.exec(spec);
  if (!match) throw new UsageError(`expected FILE:LINE:COL (1-based), got "${spec}"`);
  return { file: match[1]!, line: positiveNumber(match[2]!, "LINE"), column: positiveNumber(match[3]!, "COL") };
}

/** `FILE:LINE`, 1-based (an action's target: the declaration around that line). */
export function parseFileLine(spec: string): { file: string; line: number } {
  const match = /^(.+):(\d+)$/.exec(spec);
  if (!match) throw new UsageError(`expected FILE:LINE (1-based), got "${spec}"`);
  return { file: match[1]!, line: positiveNumber(match[2]!, "LINE") };
}

function positiveNumber(digits: string, what: string): number {
  const value = Number(digits);
  if (value < 1 || !Number.isSafeInteger(value)) throw new UsageError(`${what} is 1-based and whole, got ${digits}`);
  return value;
}

/** The offset of a 1-based line and column (UTF-16 units, as editors count); a column past the line's end means its end. */
export function offsetAt(text: string, line: number, column: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf("\n", offset);
    if (next < 0) throw new UsageError(`line ${line} is past the end of the file (${current} lines)`);
    offset = next + 1;
  }
  const newline = text.indexOf("\n", offset);
  // A CRLF line ends before its \r, as in the editor.
  const end = newline < 0 ? text.length : newline > offset && text[newline - 1] === "\r" ? newline - 1 : newline;
  return Math.min(offset + column - 1, end);
}
