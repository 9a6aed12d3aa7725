; Comments and strings (node lists: see grammars/README.md): the cursor in one is not in code.
(comment) @comment
[
  (string)
  (template_string)
  (string_fragment)
  (regex)
  (jsx_text)
] @string
