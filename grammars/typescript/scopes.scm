; inherits: javascript
; Scopes and declarations (node lists: see grammars/README.md), besides JavaScript's.
[
  (abstract_class_declaration)
  (interface_declaration)
  (internal_module)
  (module)
  (enum_declaration)
] @scope

[
  (abstract_class_declaration)
  (interface_declaration)
  (interface_body)
  (enum_declaration)
  (enum_body)
  (object_type)
] @members
