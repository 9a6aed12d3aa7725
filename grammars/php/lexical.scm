; Comments and strings (node lists: see grammars/README.md).
(comment) @comment
[
  (string)
  (encapsed_string)
  (string_content)
  (heredoc)
] @string
