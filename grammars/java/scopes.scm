; Scopes and declarations (node lists: see grammars/README.md).
[
  (class_declaration)
  (interface_declaration)
  (enum_declaration)
  (record_declaration)
  (method_declaration)
  (constructor_declaration)
] @scope
(lambda_expression) @scope @scope.anonymous
[
  (method_declaration)
  (constructor_declaration)
  (lambda_expression)
] @function
[
  (class_declaration)
  (class_body)
  (interface_declaration)
  (interface_body)
  (enum_declaration)
  (enum_body)
  (record_declaration)
] @members
(variable_declarator) @declaration.binding
