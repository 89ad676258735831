-- expect: exit=0 stdout~SAFE stdout!~ESCAPED stdout!~OUTSIDE-CONTENT within=5
-- why: '..' hidden after real or missing directories, or after './' and '//'.
local fs = require "unidesk.fs"
local refused = 0
local paths = { "a/../../outside.txt", "sub/../../outside.txt", "./../outside.txt", "sub//..//../outside.txt", "sub/./../../outside.txt" }
for _, p in ipairs(paths) do
  local ok, err = pcall(fs.read, p)
  if ok then print("ESCAPED: read " .. p .. ": " .. err) elseif tostring(err):find("refused") then refused = refused + 1 end
end
if refused == #paths then print("SAFE") end
