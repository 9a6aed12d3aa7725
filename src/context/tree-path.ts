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
