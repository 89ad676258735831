-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: dofile/loadfile read any path (and loadfile accepts bytecode files).
if dofile == nil and loadfile == nil then print("SAFE") else print("ESCAPED: dofile/loadfile present") end
