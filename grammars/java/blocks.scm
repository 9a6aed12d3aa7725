; Blocks (node lists: see grammars/README.md).
[
  (block)
  (class_body)
  (interface_body)
  (enum_body)
  (constructor_body)
] @block
[
  (program)
  (class_body)
  (block)
  (interface_body)
  (enum_body)
  (ERROR)
] @container
