; What the workspace index keeps of a file: @definition.<kind> on a whole definition, @name on its name.
; The definition patterns of tree-sitter-php 0.24.2's queries/tags.scm (MIT License, Copyright (c) the tree-sitter
; authors), without its reference patterns: the index never needs them, and they are the costly half of the query.

(namespace_definition
  name: (namespace_name) @name) @definition.module

(interface_declaration
  name: (name) @name) @definition.interface

(trait_declaration
  name: (name) @name) @definition.interface

(class_declaration
  name: (name) @name) @definition.class

(property_declaration
  (property_element (variable_name (name) @name))) @definition.field

(function_definition
  name: (name) @name) @definition.function

(method_declaration
  name: (name) @name) @definition.function
