-- expect: exit=0 stdout~SAFE stdout!~ESCAPED stdout!~OUTSIDE-CODE-RAN within=5
-- why: package.path and package.searchpath must find files only inside the recipe's
-- directory (ROOT/outside.lua sits next to it; recipe/etc_link -> /etc).
local problems = {}
for _, path in ipairs({ "/etc/?.lua", "../?.lua", "./sub/../../?.lua", "~/?.lua", "./?.lua;/etc/?", "sub/..//../?.lua" }) do
  if pcall(function() package.path = path end) then problems[#problems + 1] = "path accepted: " .. path end
end
if package.path:find("..", 1, true) or package.path:find("^/") then problems[#problems + 1] = "path now " .. package.path end
for _, case in ipairs({ { "passwd", "/etc/?" }, { "outside", "../?.lua" }, { "outside", "./sub/../../?.lua" },
                        { "etc_link.passwd", "./?" }, { "passwd", "etc_link/?" }, { "..outside", "./?.lua" } }) do
  local found = package.searchpath(case[1], case[2])
  if found then problems[#problems + 1] = "searchpath found " .. found end
end
-- A rawset on the package table cannot replace the path that require follows.
pcall(rawset, package, "path", "../?.lua")
if pcall(require, "outside") then problems[#problems + 1] = "require reached outside.lua" end
-- A legitimate path inside the directory is followed.
package.path = "./sub/?.lua"
local ok, helper, file = pcall(require, "helper")
if not (ok and helper.ok and file == "./sub/helper.lua") then problems[#problems + 1] = "inside path not followed" end
if #problems == 0 then print("SAFE") else print("ESCAPED: " .. table.concat(problems, "; ")) end
