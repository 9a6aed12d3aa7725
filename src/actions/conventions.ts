/** How a language documents its code, for the Document action's prompt. */
export interface DocConvention {
  /** Name of the convention, as the model knows it. */
  name: string;
  /** One sentence on where the comment goes and how it is written. */
  rule: string;
}

const CONVENTIONS: Record<string, DocConvention> = {
  typescript: { name: "TSDoc", rule: "a /** … */ TSDoc comment directly above the declaration, with @param and @returns tags; no types in the tags (the signature has them)" },
  typescriptreact: { name: "TSDoc", rule: "a /** … */ TSDoc comment directly above the declaration, with @param and @returns tags; no types in the tags (the signature has them)" },
  javascript: { name: "JSDoc", rule: "a /** … */ JSDoc comment directly above the declaration, with @param {type} and @returns {type} tags" },
  javascriptreact: { name: "JSDoc", rule: "a /** … */ JSDoc comment directly above the declaration, with @param {type} and @returns {type} tags" },
  python: { name: "a Python docstring (PEP 257)", rule: 'a triple-quoted """docstring""" as the first statement of the body, indented like the body, with Args: and Returns: sections' },
  go: { name: "a Go doc comment", rule: "// line comments directly above the declaration, the first sentence starting with the declared name" },
  rust: { name: "Rust doc comments", rule: "/// line comments directly above the item, with # Examples, # Errors or # Panics sections where they apply" },
  java: { name: "Javadoc", rule: "a /** … */ Javadoc comment directly above the declaration, with @param, @return and @throws tags" },
  kotlin: { name: "KDoc", rule: "a /** … */ KDoc comment directly above the declaration, with @param and @return tags" },
  csharp: { name: "C# XML documentation comments", rule: "/// <summary>…</summary> comments directly above the member, with <param> and <returns> elements" },
  c: { name: "Doxygen", rule: "a /** … */ Doxygen comment directly above the declaration, with @param and @return" },
  cpp: { name: "Doxygen", rule: "a /** … */ Doxygen comment directly above the declaration, with @param and @return" },
  ruby: { name: "YARD", rule: "# comments directly above the method, with @param and @return tags" },
  php: { name: "PHPDoc", rule: "a /** … */ PHPDoc comment directly above the declaration, with @param and @return tags" },
};

const FALLBACK: DocConvention = { name: "the language's usual documentation comments", rule: "documentation comments where the language's tools expect them" };

export function docConventionFor(languageId: string): DocConvention {
  return CONVENTIONS[languageId] ?? FALLBACK;
}

/** The word a fenced code block is tagged with for a language id. */
export function fenceTagFor(languageId: string): string {
  const tags: Record<string, string> = { typescriptreact: "tsx", javascriptreact: "jsx", csharp: "cs", shellscript: "sh", plaintext: "" };
  return tags[languageId] ?? languageId;
}

/** Fence tags a model may use for the same language (```ts for typescript, ```py for python …). */
export function fenceAliasesFor(languageId: string): string[] {
  const aliases: Record<string, string[]> = {
    typescript: ["typescript", "ts"],
    typescriptreact: ["tsx", "typescript", "ts", "typescriptreact"],
    javascript: ["javascript", "js", "node", "mjs"],
    javascriptreact: ["jsx", "javascript", "js"],
    python: ["python", "py", "python3"],
    go: ["go", "golang"],
    rust: ["rust", "rs"],
    java: ["java"],
    csharp: ["csharp", "cs", "c#"],
    cpp: ["cpp", "c++", "cc", "hpp"],
    c: ["c", "h"],
    ruby: ["ruby", "rb"],
    shellscript: ["sh", "bash", "shell", "zsh"],
  };
  return aliases[languageId] ?? [languageId];
}
