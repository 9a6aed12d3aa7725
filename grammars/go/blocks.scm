; Blocks (node lists: see grammars/README.md).
[
  (block)
  (field_declaration_list)
  (interface_type)
] @block
[
  (source_file)
  (block)
  (field_declaration_list)
  (ERROR)
] @container
