/** A small argv parser: `--name value`, `--flag`, and positionals; enough for the CLI and without a dependency. */
export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[], flags: readonly string[] = []): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      if (eq > 0) options.set(arg.slice(2, eq), arg.slice(eq + 1));
      else if (flags.includes(arg.slice(2)) || i + 1 >= argv.length || argv[i + 1]!.startsWith("--")) options.set(arg.slice(2), true);
      else options.set(arg.slice(2), argv[++i]!);
    } else {
      positionals.push(arg);
    }
  }
  return { positionals, options };
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options.get(name);
  return typeof value === "string" ? value : undefined;
}

export function numberOption(args: ParsedArgs, name: string, fallback: number): number {
  const value = stringOption(args, name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new UsageError(`--${name} must be a number, not "${value}"`);
  return parsed;
}

/** A mistake in how the CLI was called: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** `FILE:LINE:COL`, 1-based like editors and compilers print them. */
export function parseFilePosition(spec: string): { file: string; line: number; column: number } {
  const match = /^(.*):(\d+):(\d+)$/.exec(spec);
  if (!match) throw new UsageError(`expected FILE:LINE:COL (1-based), got "${spec}"`);
  const line = Number(match[2]);
  const column = Number(match[3]);
  if (line < 1 || column < 1) throw new UsageError(`LINE and COL are 1-based, got ${line}:${column}`);
  return { file: match[1]!, line, column };
}

/** The offset of a 1-based line and column; a column past the line's end means the end of that line. */
export function offsetAt(text: string, line: number, column: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf("\n", offset);
    if (next < 0) throw new UsageError(`line ${line} is past the end of the file (${current} lines)`);
    offset = next + 1;
  }
  const lineEnd = text.indexOf("\n", offset);
  const end = lineEnd < 0 ? text.length : lineEnd;
  return Math.min(offset + column - 1, end);
}
