; Scopes and declarations (node lists: see grammars/README.md).
[
  (function_definition)
  (method_declaration)
  (class_declaration)
  (interface_declaration)
  (trait_declaration)
] @scope
[
  (arrow_function)
  (function_definition)
  (method_declaration)
] @function
[
  (class_declaration)
  (interface_declaration)
  (enum_declaration)
] @members
