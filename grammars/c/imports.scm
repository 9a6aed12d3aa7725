; Imports (node lists: see grammars/README.md).
(preproc_include) @import
