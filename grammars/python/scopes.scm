; Scopes and declarations (node lists: see grammars/README.md).
[
  (function_definition)
  (class_definition)
] @scope
[
  (function_definition)
  (lambda)
] @function
(class_definition) @members
(decorated_definition) @declaration.wrapper
