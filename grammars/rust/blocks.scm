; Blocks (node lists: see grammars/README.md).
[
  (block)
  (declaration_list)
  (field_declaration_list)
  (enum_variant_list)
] @block
[
  (source_file)
  (declaration_list)
  (block)
  (field_declaration_list)
  (ERROR)
] @container
