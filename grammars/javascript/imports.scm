; Imports (node lists: see grammars/README.md).
; @import: a top-level import statement.
(import_statement) @import
; @import.require: a top-level declaration that is an import when it calls require() (`const x = require("x")`).
[
  (lexical_declaration)
  (variable_declaration)
] @import.require
