-- expect: exit=4 stderr~deadline stdout!~SURVIVED within=2
-- args: --timeout 1
-- why: __close handlers run while the limit unwinds the stack; they must not get to run code (or print).
do
  local guard <close> = setmetatable({}, { __close = function() print("SURVIVED") end })
  while true do end
end
