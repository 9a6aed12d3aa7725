; Scopes and declarations (node lists: see grammars/README.md).
[
  (function_item)
  (impl_item)
  (trait_item)
  (struct_item)
  (enum_item)
  (mod_item)
] @scope
(closure_expression) @scope @scope.anonymous
[
  (function_item)
  (closure_expression)
] @function
[
  (impl_item)
  (trait_item)
] @members
