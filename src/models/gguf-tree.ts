// The GGUF metadata tree: dotted keys from the file (`general.architecture`) as nested objects, the shape node-llama-cpp
// gives its metadata. The keys come from an untrusted file, so every level is a null-prototype object (a key can only
// ever name an own property) and forbiddenKeyPart() names the key parts the reader must refuse before setPath() runs.

/**
 * Nested like node-llama-cpp's metadata: `general.architecture` is `metadata.general.architecture`. Every level is a
 * null-prototype object, so a lookup never finds an inherited property.
 */
export type GgufMetadataTree = { [key: string]: GgufMetadataValue };
export type GgufMetadataValue = string | number | bigint | boolean | GgufMetadataValue[] | GgufSkippedArray | GgufMetadataTree;

/** An array left unread (too long and not needed); its length is kept. */
export interface GgufSkippedArray {
  skipped: true;
  itemType: number;
  length: number;
}

/** Key parts that would walk into, or replace, an object's prototype. No model uses them. */
const FORBIDDEN_KEY_PARTS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

export function emptyTree(): GgufMetadataTree {
  return Object.create(null) as GgufMetadataTree;
}

/** The first part of a dotted key that must never become a property name, or undefined. */
export function forbiddenKeyPart(key: string): string | undefined {
  return key.split(".").find((part) => FORBIDDEN_KEY_PARTS.has(part));
}

/**
 * Sets `value` at the dotted `key`, creating null-prototype levels as needed. A key that forbiddenKeyPart() names is a
 * programming error here (the reader refuses the file first), so it throws rather than writes.
 */
export function setPath(tree: GgufMetadataTree, key: string, value: GgufMetadataValue): void {
  if (forbiddenKeyPart(key) !== undefined) throw new Error(`setPath: refused key ${JSON.stringify(key.slice(0, 80))}`);
  const parts = key.split(".");
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    const next = Object.hasOwn(node, part) ? node[part] : undefined;
    if (isTree(next)) node = next;
    else {
      const created = emptyTree();
      node[part] = created;
      node = created;
    }
  }
  node[parts[parts.length - 1] ?? key] = value;
}

/** A metadata value by dotted key (own properties only), or undefined. */
export function metadataValue(metadata: GgufMetadataTree, key: string): GgufMetadataValue | undefined {
  let node: GgufMetadataValue | undefined = metadata;
  for (const part of key.split(".")) {
    if (!isTree(node) || !Object.hasOwn(node, part)) return undefined;
    node = node[part];
  }
  return node;
}

function isTree(value: GgufMetadataValue | undefined): value is GgufMetadataTree {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isSkipped(value);
}

function isSkipped(value: object): value is GgufSkippedArray {
  return (value as { skipped?: unknown }).skipped === true;
}
