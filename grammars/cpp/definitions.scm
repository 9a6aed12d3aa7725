; What the workspace index keeps of a file: @definition.<kind> on a whole definition, @name on its name.
; The definition patterns of tree-sitter-cpp 0.23.4's queries/tags.scm (MIT License, Copyright (c) the tree-sitter
; authors), without its reference patterns: the index never needs them, and they are the costly half of the query.

(struct_specifier name: (type_identifier) @name body:(_)) @definition.class

(declaration type: (union_specifier name: (type_identifier) @name)) @definition.class

(function_declarator declarator: (identifier) @name) @definition.function

(function_declarator declarator: (field_identifier) @name) @definition.function

(function_declarator declarator: (qualified_identifier scope: (namespace_identifier) @local.scope name: (identifier) @name)) @definition.method

(type_definition declarator: (type_identifier) @name) @definition.type

(enum_specifier name: (type_identifier) @name) @definition.type

(class_specifier name: (type_identifier) @name) @definition.class

; Hearth's own: macros.
(preproc_def name: (identifier) @name) @definition.constant
(preproc_function_def name: (identifier) @name) @definition.macro
