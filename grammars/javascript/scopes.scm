; Scopes and declarations (node lists: see grammars/README.md).
; @scope: its header (up to the body) tells where the cursor is; an action on a declaration takes the innermost one.
; @scope.anonymous: a value (arrow function, class expression): a declaration only when a @declaration.binding names it.
[
  (function_declaration)
  (generator_function_declaration)
  (method_definition)
  (class_declaration)
] @scope
[
  (function_expression)
  (arrow_function)
  (class)
] @scope @scope.anonymous

; @function: definitions inside one are local, not worth a place in another file's prompt.
[
  (function_declaration)
  (function_expression)
  (arrow_function)
  (method_definition)
  (generator_function_declaration)
  (generator_function)
] @function

; @members: declarations inside one are members of a type, not of the file.
[
  (class_declaration)
  (class_body)
  (class)
  (object)
] @members

; @declaration.wrapper, @declaration.binding: what an action takes along with the declaration inside
; (`export`, `const f = () => …`).
[
  (export_statement)
  (lexical_declaration)
  (variable_declaration)
] @declaration.wrapper
(variable_declarator) @declaration.binding
