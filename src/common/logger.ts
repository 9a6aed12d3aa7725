/** What the plain-Node layers need from a log; the ide layer backs it with the Hearth LogOutputChannel. */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string | Error): void;
}

/** Prefixes every line with a component tag, so one channel stays readable. */
export function scopedLogger(logger: Logger, component: string): Logger {
  const tag = `[${component}] `;
  return {
    trace: (m) => logger.trace(tag + m),
    debug: (m) => logger.debug(tag + m),
    info: (m) => logger.info(tag + m),
    warn: (m) => logger.warn(tag + m),
    error: (m) => logger.error(typeof m === "string" ? tag + m : `${tag}${m.stack ?? m.message}`),
  };
}

type Level = keyof Logger;
const LEVELS: readonly Level[] = ["trace", "debug", "info", "warn", "error"];

/** Keeps the lines from `minLevel` up in memory, as "level message" (tests and benches show them on failure). */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  private readonly min: number;

  constructor(minLevel: Level = "trace") {
    this.min = LEVELS.indexOf(minLevel);
  }

  trace(message: string): void {
    this.add("trace", message);
  }
  debug(message: string): void {
    this.add("debug", message);
  }
  info(message: string): void {
    this.add("info", message);
  }
  warn(message: string): void {
    this.add("warn", message);
  }
  error(message: string | Error): void {
    this.add("error", typeof message === "string" ? message : message.message);
  }

  private add(level: Level, message: string): void {
    if (LEVELS.indexOf(level) >= this.min) this.lines.push(`${level} ${message}`);
  }
}

/** For tests and the CLI's quiet mode. */
export const silentLogger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** A log line a worker thread posts to the thread that owns the Logger. */
export interface PostedLog {
  type: "log";
  level: "debug" | "info" | "warn" | "error";
  message: string;
}

/** A worker thread's Logger: each line is posted to its owner (trace stays in the worker). */
export function postingLogger(post: (line: PostedLog) => void): Logger {
  return {
    trace: () => {},
    debug: (message) => post({ type: "log", level: "debug", message }),
    info: (message) => post({ type: "log", level: "info", message }),
    warn: (message) => post({ type: "log", level: "warn", message }),
    error: (m) => post({ type: "log", level: "error", message: typeof m === "string" ? m : (m.stack ?? m.message) }),
  };
}
