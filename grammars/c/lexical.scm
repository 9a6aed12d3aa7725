; Comments and strings (node lists: see grammars/README.md).
(comment) @comment
[
  (string_literal)
  (char_literal)
  (string_content)
] @string
