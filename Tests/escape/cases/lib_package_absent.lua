-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: package.loadlib loads native code; package.searchers/cpath reach C modules.
local ok = package == nil and rawget(_G, "package") == nil and not pcall(require, "package")
if ok then print("SAFE") else print("ESCAPED: package reachable: " .. tostring(package and package.loadlib)) end
