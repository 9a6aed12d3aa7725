; inherits: javascript
; Blocks (node lists: see grammars/README.md), besides JavaScript's.
[
  (object_type)
  (interface_body)
  (enum_body)
] @block

[
  (module)
  (interface_body)
  (enum_body)
] @container
