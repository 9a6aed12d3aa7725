; Blocks (node lists: see grammars/README.md).
[
  (body_statement)
  (do_block)
  (block)
] @block
[
  (program)
  (module)
  (block)
  (body_statement)
  (class)
  (ERROR)
] @container
