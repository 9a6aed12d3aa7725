; Comments and strings (node lists: see grammars/README.md).
[
  (line_comment)
  (block_comment)
] @comment
[
  (string_literal)
  (character_literal)
  (string_fragment)
] @string
