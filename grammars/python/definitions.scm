; What the workspace index keeps of a file: @definition.<kind> on a whole definition, @name on its name.
; The definition patterns of tree-sitter-python 0.25.0's queries/tags.scm (MIT License, Copyright (c) the tree-sitter
; authors), without its reference patterns: the index never needs them, and they are the costly half of the query.

(module (expression_statement (assignment left: (identifier) @name) @definition.constant))

(class_definition
  name: (identifier) @name) @definition.class

; A class attribute (`UNSUPPORTED_MAC = 11` in an enum, `COMMON_NAME = ObjectIdentifier(…)`): what `_Reasons.` can be
; followed by. An annotated one (`x: int = 0`) is a dataclass's field of each instance, not the class's: left out.
(class_definition
  body: (block
    (expression_statement
      (assignment left: (identifier) @name !type) @definition.constant)))

(function_definition
  name: (identifier) @name) @definition.function
