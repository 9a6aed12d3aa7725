; Blocks (node lists: see grammars/README.md).
[
  (compound_statement)
  (declaration_list)
] @block
[
  (program)
  (declaration_list)
  (compound_statement)
  (ERROR)
] @container
