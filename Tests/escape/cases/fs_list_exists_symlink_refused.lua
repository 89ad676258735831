-- expect: exit=3 stdout~SAFE stdout!~ESCAPED stdout!~secret.txt within=5
-- why: listing or probing through a symlink reveals what is outside (file names, existence).
-- A refusal is a denial: journaled and sticky, so the run exits 3 even though the script caught it.
local fs = require "unidesk.fs"
local leaks = {}
local function try(what, f, ...)
  local ok, r = pcall(f, ...)
  if ok then leaks[#leaks + 1] = what .. "=" .. tostring(type(r) == "table" and table.concat(r, ",") or r)
  elseif not tostring(r):find("refused") then leaks[#leaks + 1] = what .. " (not refused: " .. tostring(r) .. ")" end
end
try("list outside_link", fs.list, "outside_link")
try("list etc_link", fs.list, "etc_link")
try("list ..", fs.list, "..")
try("exists etc_link/passwd", fs.exists, "etc_link/passwd")
try("exists ../outside.txt", fs.exists, "../outside.txt")
try("exists /etc/passwd", fs.exists, "/etc/passwd")
if #leaks == 0 then print("SAFE") else print("ESCAPED: " .. table.concat(leaks, "; ")) end
