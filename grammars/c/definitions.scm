; What the workspace index keeps of a file: @definition.<kind> on a whole definition, @name on its name.
; The definition patterns of tree-sitter-c 0.24.1's queries/tags.scm (MIT License, Copyright (c) the tree-sitter
; authors), without its reference patterns: the index never needs them, and they are the costly half of the query.

(struct_specifier name: (type_identifier) @name body:(_)) @definition.class

(declaration type: (union_specifier name: (type_identifier) @name)) @definition.class

(function_declarator declarator: (identifier) @name) @definition.function

(type_definition declarator: (type_identifier) @name) @definition.type

(enum_specifier name: (type_identifier) @name) @definition.type

; Hearth's own: macros.
(preproc_def name: (identifier) @name) @definition.constant
(preproc_function_def name: (identifier) @name) @definition.macro
