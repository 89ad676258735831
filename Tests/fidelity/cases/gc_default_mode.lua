-- The garbage collector's mode when the script starts: lua.c (the lua5.4 binary) switches
-- its state to generational mode before running the script; collectgarbage returns the
-- previous mode when switching.
print(collectgarbage("incremental"))
