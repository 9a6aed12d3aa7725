; Blocks (node lists: see grammars/README.md).
[
  (block)
  (declaration_list)
  (enum_member_declaration_list)
] @block
[
  (compilation_unit)
  (declaration_list)
  (block)
  (ERROR)
] @container
