-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: package.loaded is a view of what require returns: writing through it must not
-- change which standard library or unidesk module require returns (package.loaded.string
-- is the recipe's own copy, as the global: changing its fields is the recipe's business).
local problems = {}
local fs = require "unidesk.fs"
local attempts = {
  function() package.loaded["unidesk.fs"] = { read = function() return "fake" end } end,
  function() package.loaded.string = { format = function() return "hacked" end } end,
  function() package.loaded.io = nil end,
  function() rawset(package.loaded, "string", {}) end,
  function() setmetatable(package.loaded, nil) end,
  function() package.loaded = {} end,
  function() package.loaded["unidesk.fs"].read = nil end,
  function() package.loaded.io.write = print end,
}
for i, attempt in ipairs(attempts) do
  if pcall(attempt) then problems[#problems + 1] = "attempt " .. i .. " succeeded" end
end
if require "string" ~= string or string.format("%d", 1) ~= "1" then problems[#problems + 1] = "string replaced" end
if require "unidesk.fs" ~= fs or type(fs.read) ~= "function" then problems[#problems + 1] = "unidesk.fs replaced" end
-- Iterating the view hands out values, never the table behind it.
for name, value in pairs(package.loaded) do
  if name == "string" and value ~= string then problems[#problems + 1] = "pairs shows another string" end
end
local _, state = pairs(package.loaded)
if type(state) == "table" and pcall(rawset, state, "string", {}) then problems[#problems + 1] = "pairs state writable" end
if require "string" ~= string then problems[#problems + 1] = "string replaced via pairs" end
if #problems == 0 then print("SAFE") else print("ESCAPED: " .. table.concat(problems, ", ")) end
