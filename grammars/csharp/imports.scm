; Imports (node lists: see grammars/README.md).
(using_directive) @import
