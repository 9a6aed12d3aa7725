; Scopes and declarations (node lists: see grammars/README.md).
(function_definition) @scope @function
