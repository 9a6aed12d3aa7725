; Scopes and declarations (node lists: see grammars/README.md).
[
  (function_declaration)
  (method_declaration)
  (type_declaration)
] @scope
(func_literal) @scope @scope.anonymous
[
  (function_declaration)
  (method_declaration)
  (func_literal)
] @function
