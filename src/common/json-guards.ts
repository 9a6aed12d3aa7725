/**
 * Checks on plain JSON values of unknown shape: a message from the webview, a file read from disk. Each narrows the
 * type for the code after it. No Node, no DOM: the webview's bundle uses them through src/webview/protocol.ts.
 */

export type JsonObject = Record<string, unknown>;

/** An object that is not null and not an array. */
export const isJsonObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** A string of at most `max` characters. */
export const isString = (v: unknown, max = Number.MAX_SAFE_INTEGER): v is string => typeof v === "string" && v.length <= max;

export const isFiniteNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** A whole number, zero or more. */
export const isCount = (v: unknown): v is number => isFiniteNumber(v) && v >= 0 && Number.isInteger(v);

/** One of the given strings. */
export const isOneOf = <T extends string>(v: unknown, values: readonly T[]): v is T => typeof v === "string" && (values as readonly string[]).includes(v);

/** An object with no keys besides the given ones (it may lack some of them). */
export const hasOnlyKeys = (o: JsonObject, keys: readonly string[]): boolean => Object.keys(o).every((k) => keys.includes(k));
