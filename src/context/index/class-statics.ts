import type { SymbolDefinition } from "../symbol-types";

/** Modifiers that may stand before `static` in a member's header (`public static readonly X`, `export`: enums). */
const STATIC_HEADER = /^(?:(?:public|private|protected|readonly|override|declare)\s+)*static\b/;
const PY_CLASS_LEVEL = /^@(?:staticmethod|classmethod)\b/m;

/**
 * The members of `cls` reached through the class's own name (`Status.fromCode(…)`, `Color.RED`): static methods and
 * fields (JavaScript/TypeScript), static and class methods and class attributes (Python). As the file's own
 * members, so that they can be outlined like a module's; `share` is their share of the class's members: near 1 for a
 * class used as a namespace (an enum, a holder of constants), small for one whose few attributes are details.
 */
export function classStatics(cls: SymbolDefinition, fileDefinitions: readonly SymbolDefinition[]): { statics: SymbolDefinition[]; share: number } {
  const python = cls.path.endsWith(".py") || cls.path.endsWith(".pyi");
  const out: SymbolDefinition[] = [];
  let members = 0;
  for (const def of fileDefinitions) {
    if (!def.member || def.startLine <= cls.startLine || def.endLine > cls.endLine) continue;
    members++;
    const header = def.header.trimStart();
    // A Python class's own assignments (grammars/python/definitions.scm keeps only unannotated ones) are its attributes.
    const reached = python ? PY_CLASS_LEVEL.test(def.text.slice(0, 400)) || def.kind === "constant" : STATIC_HEADER.test(header);
    if (reached) out.push({ ...def, member: false });
  }
  return { statics: out, share: members ? out.length / members : 0 };
}
