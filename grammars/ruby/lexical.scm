; Comments and strings (node lists: see grammars/README.md).
(comment) @comment
[
  (string)
  (string_content)
  (heredoc_body)
] @string
