; Comments and strings (node lists: see grammars/README.md).
(comment) @comment
[
  (string)
  (raw_string)
  (heredoc_body)
] @string
