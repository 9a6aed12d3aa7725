; Scopes and declarations (node lists: see grammars/README.md).
[
  (class_declaration)
  (interface_declaration)
  (struct_declaration)
  (record_declaration)
  (enum_declaration)
  (method_declaration)
  (constructor_declaration)
  (namespace_declaration)
] @scope
(lambda_expression) @scope @scope.anonymous
[
  (method_declaration)
  (constructor_declaration)
  (lambda_expression)
] @function
[
  (class_declaration)
  (interface_declaration)
  (enum_declaration)
  (record_declaration)
] @members
(variable_declaration) @declaration.wrapper
(variable_declarator) @declaration.binding
