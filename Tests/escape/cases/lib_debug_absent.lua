-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: debug.* (getupvalue, setmetatable, sethook, getregistry) breaks every sandbox guarantee.
local ok = debug == nil and rawget(_G, "debug") == nil and not pcall(require, "debug")
if ok then print("SAFE") else print("ESCAPED: debug library reachable") end
