; Imports (node lists: see grammars/README.md).
[
  (import_declaration)
  (package_declaration)
] @import
