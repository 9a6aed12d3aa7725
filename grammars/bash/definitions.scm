; What the workspace index keeps of a file: @definition.<kind> on a whole definition, @name on its name.

; Hearth's own: functions (the grammar ships no tags.scm).
(function_definition name: (word) @name) @definition.function
