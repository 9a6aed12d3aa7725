; Scopes and declarations (node lists: see grammars/README.md).
[
  (method)
  (singleton_method)
  (module)
] @scope
; `class` is also @scope.anonymous, as it was when one list served every language (JavaScript's class expression is
; a `class` too): an action never takes a whole Ruby class, only a method in it.
(class) @scope @scope.anonymous
[
  (method)
  (singleton_method)
  (lambda)
] @function
(class) @members
