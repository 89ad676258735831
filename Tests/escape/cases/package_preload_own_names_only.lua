-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: package.preload may serve the recipe's own module names, never a unidesk module or
-- a standard library.
local problems = {}
local fake = function() return { read = function() return "FAKE" end, format = function() return "FAKE" end } end
for _, name in ipairs({ "unidesk.fs", "unidesk.json", "string", "table", "math", "utf8", "coroutine", "_G", "package", "io", "debug", "os" }) do
  package.preload[name] = fake
  local ok, m = pcall(require, name)
  if ok and type(m) == "table" and m.read and select(2, pcall(m.read)) == "FAKE" then problems[#problems + 1] = name end
end
-- Replacing preload itself is refused; the recipe's own names do work.
if pcall(function() package.preload = {} end) then problems[#problems + 1] = "preload replaced" end
package.preload["my.mod"] = function(name, data) return { name = name, data = data } end
local mine = require "my.mod"
if mine.name ~= "my.mod" or mine.data ~= ":preload:" then problems[#problems + 1] = "own preload ignored" end
-- Searchers the recipe adds are asked only for the recipe's own names.
table.insert(package.searchers, 1, function() return fake end)
if require("string").format("%d", 2) ~= "2" then problems[#problems + 1] = "searcher replaced string" end
if pcall(require, "unidesk.nosuch") then problems[#problems + 1] = "searcher answered unidesk.nosuch" end
if #problems == 0 then print("SAFE") else print("ESCAPED: " .. table.concat(problems, ", ")) end
