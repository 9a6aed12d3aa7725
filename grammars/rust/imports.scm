; Imports (node lists: see grammars/README.md).
[
  (use_declaration)
  (extern_crate_declaration)
] @import
