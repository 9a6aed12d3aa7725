import type { RecallSample } from "./samples";

/** The causes issue 14 names, in the order a miss is tested for them (the first that applies is its cause). */
export const MISS_CAUSES = [
  "class dropped for its methods",
  "crowded out",
  "TYPE_CHECKING import",
  "default-import object member",
  "class as namespace",
  "through re-exports",
  "other",
] as const;

export type MissCause = (typeof MISS_CAUSES)[number];

export interface ContextSpan {
  path: string;
  startLine: number;
  endLine: number;
  text: string;
}

/**
 * A hit: an item spans a line where the symbol is defined and shows the symbol's name (its code, its signature, or its
 * line in a module's outline). An item that merely spans the line (an outline that left the member out) is no hit.
 */
export function isHit(sample: RecallSample, items: readonly ContextSpan[]): boolean {
  const named = new RegExp(`(?<![\\w$])${sample.symbol.replace(/\$/g, "\\$")}(?![\\w$])`);
  return sample.definitions.some((d) => items.some((i) => i.path === d.path && i.startLine <= d.startLine && d.startLine <= i.endLine && named.test(i.text)));
}

/**
 * Why a sample was missed. `foundWithRoom`: the same assembly with a budget large enough for everything it found
 * held the definition, so the index returned it and the budget was full of higher-scoring items.
 * - class dropped for its methods: the symbol is a class, and the context holds items inside it (its methods) but
 *   not the class's own line;
 * - TYPE_CHECKING import: the name was imported under `if TYPE_CHECKING:`, which the product does not read;
 * - default-import object member: a member of an object (`export default { … }`, `module.exports = { … }`, an object
 *   of functions exported by name) used as `helpers.name`;
 * - class as namespace: a static member of an imported class (`Status.fromCode`), an enum member, a namespace's;
 * - through re-exports: the import reaches the definition only through re-exports (barrels, `__init__.py`).
 */
export function missCause(sample: RecallSample, items: readonly ContextSpan[], foundWithRoom: boolean): MissCause {
  if (sample.definitionKind === "class" && classMembersShown(sample, items)) return "class dropped for its methods";
  if (foundWithRoom) return "crowded out";
  if (sample.typeChecking) return "TYPE_CHECKING import";
  if (sample.use === "object-member") return "default-import object member";
  if (sample.use === "class-static") return "class as namespace";
  if (sample.reexports > 0) return "through re-exports";
  return "other";
}

function classMembersShown(sample: RecallSample, items: readonly ContextSpan[]): boolean {
  return sample.definitions.some((d) => items.some((i) => i.path === d.path && i.startLine > d.startLine && i.endLine <= d.endLine));
}
