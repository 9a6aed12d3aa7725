; Imports (node lists: see grammars/README.md).
(namespace_use_declaration) @import
