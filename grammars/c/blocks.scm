; Blocks (node lists: see grammars/README.md).
[
  (compound_statement)
  (field_declaration_list)
  (declaration_list)
  (enumerator_list)
] @block
[
  (translation_unit)
  (declaration_list)
  (compound_statement)
  (field_declaration_list)
  (ERROR)
] @container
