-- expect: exit=4 stderr~deadline within=2
-- args: --timeout 1
do
  local guard <close> = setmetatable({}, { __close = function() while true do end end })
end
