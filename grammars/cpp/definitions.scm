; inherits: c
; What the workspace index keeps of a file: @definition.<kind> on a whole definition, @name on its name; C's, and
; the patterns tree-sitter-cpp 0.23.4's queries/tags.scm (MIT License, Copyright (c) the tree-sitter authors) adds
; to them.

(function_declarator declarator: (field_identifier) @name) @definition.function

(function_declarator declarator: (qualified_identifier scope: (namespace_identifier) @local.scope name: (identifier) @name)) @definition.method

(class_specifier name: (type_identifier) @name) @definition.class
