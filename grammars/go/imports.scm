; Imports (node lists: see grammars/README.md).
(import_declaration) @import
