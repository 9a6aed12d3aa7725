; Imports (node lists: see grammars/README.md).
[
  (import_statement)
  (import_from_statement)
  (future_import_statement)
] @import
