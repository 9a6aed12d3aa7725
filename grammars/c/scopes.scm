; Scopes and declarations (node lists: see grammars/README.md).
[
  (function_definition)
  (struct_specifier)
  (enum_specifier)
  (union_specifier)
] @scope
(function_definition) @function
(struct_specifier) @members
