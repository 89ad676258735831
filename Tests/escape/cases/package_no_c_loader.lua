-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: package.loadlib, package.cpath and a C searcher would load native code.
local problems = {}
if package.loadlib ~= nil then problems[#problems + 1] = "loadlib" end
if package.cpath ~= nil then problems[#problems + 1] = "cpath" end
if pcall(function() package.cpath = "./?.so" end) then problems[#problems + 1] = "cpath settable" end
if pcall(function() package.loadlib = function() end end) then problems[#problems + 1] = "loadlib settable" end
if #package.searchers ~= 2 then problems[#problems + 1] = #package.searchers .. " searchers" end
-- Every searcher is asked for C modules by name: none returns a loader.
for i, searcher in ipairs(package.searchers) do
  for _, name in ipairs({ "lfs", "socket.core", "lpeg", "cjson" }) do
    local ok, loader = pcall(searcher, name)
    if ok and type(loader) == "function" then problems[#problems + 1] = "searcher " .. i .. " loads " .. name end
  end
end
local ok2, err = pcall(require, "nope")
if ok2 or tostring(err):find("%.so") then problems[#problems + 1] = "C searcher in the message" end
-- A searcher of the recipe's own that hands back a C function gets nothing a recipe could not call anyway.
table.insert(package.searchers, function(name) return print, "data" end)
local ok, value = pcall(require, "any.native.module")
if not ok or value ~= true then problems[#problems + 1] = "own searcher: " .. tostring(value) end
if #problems == 0 then print("SAFE") else print("ESCAPED: " .. table.concat(problems, ", ")) end
