; Blocks (node lists: see grammars/README.md).
(compound_statement) @block
[
  (program)
  (compound_statement)
  (ERROR)
] @container
