; Blocks (node lists: see grammars/README.md).
; @block: a body; an empty one at the cursor asks for a multi-line completion.
[
  (statement_block)
  (class_body)
  (object)
] @block

; @container: holds declarations; the climb from a definition to its whole statement stops below it.
[
  (program)
  (class_body)
  (statement_block)
  (object)
  (class)
  (ERROR)
] @container
