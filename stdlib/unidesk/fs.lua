-- unidesk.fs: the host's file functions, plus Lua conveniences built on them.
local _, host = ...
local M = {}

M.read = host.read
M.list = host.list
M.exists = host.exists
M.write = host.write

--- Iterates over the lines of a file of the recipe's directory.
function M.lines(path)
  check("fs.lines", path)
  local text = host.read(path)
  local pos = 1
  return function()
    if pos > #text then return nil end
    local nl = text:find("\n", pos, true)
    local line
    if nl then
      line = text:sub(pos, nl - 1)
      pos = nl + 1
    else
      line = text:sub(pos)
      pos = #text + 1
    end
    if line:sub(-1) == "\r" then line = line:sub(1, -2) end
    return line
  end
end

return M
