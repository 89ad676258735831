-- expect: exit=4 stderr~deadline within=2
-- args: --timeout 1
::again::
goto again
