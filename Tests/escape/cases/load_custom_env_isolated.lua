-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: a chunk with a custom env sees only that env, and its globals land there.
local env = {}
local f = load("leaked = 1; return print, string, unidesk, require, getmetatable", "c", "t", env)
local a, b, c, d, e = f()
if a == nil and b == nil and c == nil and d == nil and e == nil and env.leaked == 1 and rawget(_G, "leaked") == nil then
  print("SAFE")
else
  print("ESCAPED: custom-env chunk reached the sandbox globals")
end
