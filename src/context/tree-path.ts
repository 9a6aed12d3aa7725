import type { Node, Tree } from "web-tree-sitter";

/**
 * Deeper than this, a tree says nothing about the cursor worth the walk: real code nests a few dozen levels, a file
 * of 100,000 nested brackets nests 100,000.
 */
export const MAX_TREE_DEPTH = 256;

/**
 * The nodes from the root down to the smallest one that spans [start, end] (the node descendantForIndex finds),
 * outermost first; null when that node lies deeper than `maxDepth`. Walks down with a tree cursor, one step per level
 * and never more than `maxDepth`: descendantForIndex walks the whole depth, and each `parent` walks it again from the
 * root (tree-sitter nodes do not know their parents), which is seconds per keystroke in a deeply nested file.
 */
export function pathTo(tree: Tree, start: number, end = start, maxDepth = MAX_TREE_DEPTH): Node[] | null {
  const cursor = tree.walk();
  try {
    const path: Node[] = [cursor.currentNode];
    // Moves to the first child that extends beyond `start`; it is on the path if it also begins by `start` and reaches `end`.
    while (cursor.gotoFirstChildForIndex(start)) {
      const node = cursor.currentNode;
      if (node.startIndex > start || node.endIndex < end) break;
      if (path.length >= maxDepth) return null;
      path.push(node);
    }
    return path;
  } finally {
    cursor.delete();
  }
}

/**
 * The first `limit` named children of a node, through a cursor: `namedChildren` builds every child (tens of thousands
 * at the top level of a big file), and `namedChild(i)` walks the children before `i` each time.
 */
export function firstNamedChildren(node: Node, limit: number): Node[] {
  const out: Node[] = [];
  const cursor = node.walk();
  try {
    if (!cursor.gotoFirstChild()) return out;
    do {
      if (cursor.nodeIsNamed) out.push(cursor.currentNode);
    } while (out.length < limit && cursor.gotoNextSibling());
    return out;
  } finally {
    cursor.delete();
  }
}

/** A node's type and extent, read from a cursor without building a Node. */
export interface NodeSpan {
  type: string;
  startIndex: number;
  endIndex: number;
}

/**
 * The first `limit` named nodes at the top level of a tree, the children of a top-level ERROR counted among them (a
 * line being typed can turn the rest of a file into one ERROR node), read through one cursor. `complete` is false when
 * the limit cut the list short.
 */
export function topLevelSpans(tree: Tree, limit: number): { spans: NodeSpan[]; complete: boolean } {
  const spans: NodeSpan[] = [];
  const cursor = tree.walk();
  const take = (): void => {
    if (cursor.nodeIsNamed) spans.push({ type: cursor.nodeType, startIndex: cursor.startIndex, endIndex: cursor.endIndex });
  };
  try {
    if (!cursor.gotoFirstChild()) return { spans, complete: true };
    for (;;) {
      if (cursor.nodeType === "ERROR" && cursor.gotoFirstChild()) {
        do take();
        while (spans.length < limit && cursor.gotoNextSibling());
        cursor.gotoParent();
      } else take();
      if (spans.length >= limit) return { spans, complete: false };
      if (!cursor.gotoNextSibling()) return { spans, complete: true };
    }
  } finally {
    cursor.delete();
  }
}
