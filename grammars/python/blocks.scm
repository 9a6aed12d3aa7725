; Blocks (node lists: see grammars/README.md).
(block) @block
[
  (module)
  (block)
  (ERROR)
] @container
