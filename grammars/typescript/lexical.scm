; Comments and strings (node lists: see grammars/README.md): the cursor in one is not in code. JavaScript's without
; JSX, which the typescript grammar does not parse (tsx does).
(comment) @comment
[
  (string)
  (template_string)
  (string_fragment)
  (regex)
] @string
