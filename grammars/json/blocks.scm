; Blocks (node lists: see grammars/README.md).
[
  (object)
  (array)
] @block
