; Scopes and declarations (node lists: see grammars/README.md). Not C's: a union is no scope here.
[
  (function_definition)
  (struct_specifier)
  (class_specifier)
  (namespace_definition)
  (enum_specifier)
] @scope
(lambda_expression) @scope @scope.anonymous
[
  (function_definition)
  (lambda_expression)
] @function
[
  (struct_specifier)
  (class_specifier)
] @members
