; Comments and strings (node lists: see grammars/README.md).
(comment) @comment
[
  (string_literal)
  (verbatim_string_literal)
  (interpolated_string_expression)
  (character_literal)
  (raw_string_literal)
] @string
