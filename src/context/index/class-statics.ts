import type { SymbolDefinition } from "../symbol-types";

/** Modifiers that may stand before `static` in a member's header (`public static readonly X`, `export`: enums). */
const STATIC_HEADER = /^(?:(?:public|private|protected|readonly|override|declare)\s+)*static\b/;
const PY_CLASS_LEVEL = /^@(?:staticmethod|classmethod)\b/m;

/**
 * The members of `cls` reached through the class's own name (`Status.fromCode(…)`, `Color.RED`): static methods and
 * fields (JavaScript/TypeScript), static and class methods and class-level constants (Python). As the file's own
 * members, so that they can be outlined like a module's.
 */
export function classStatics(cls: SymbolDefinition, fileDefinitions: readonly SymbolDefinition[]): SymbolDefinition[] {
  const python = cls.path.endsWith(".py") || cls.path.endsWith(".pyi");
  const out: SymbolDefinition[] = [];
  for (const def of fileDefinitions) {
    if (!def.member || def.startLine <= cls.startLine || def.endLine > cls.endLine) continue;
    const header = def.header.trimStart();
    const reached = python ? PY_CLASS_LEVEL.test(def.text.slice(0, 400)) || (def.kind === "constant" && /^[A-Z_][A-Z0-9_]*$/.test(def.name)) : STATIC_HEADER.test(header);
    if (reached) out.push({ ...def, member: false });
  }
  return out;
}
