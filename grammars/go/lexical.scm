; Comments and strings (node lists: see grammars/README.md).
(comment) @comment
[
  (interpreted_string_literal)
  (raw_string_literal)
  (rune_literal)
] @string
