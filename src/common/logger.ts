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

/** For tests and the CLI's quiet mode. */
export const silentLogger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
