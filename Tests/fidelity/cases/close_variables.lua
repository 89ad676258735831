-- To-be-closed variables (local x <close>): closing order, the error value passed to
-- __close, errors raised inside __close, <const>, and values that cannot be closed.
local log = {}
local function closer(name)
  return setmetatable({}, { __close = function(_, err) log[#log + 1] = name .. ":" .. tostring(err) end })
end
do
  local a <close> = closer("a")
  local b <close> = closer("b")
  local c <close> = nil
  local d <close> = false
  log[#log + 1] = "body"
end
print(table.concat(log, " "))
log = {}
print(pcall(function()
  local a <close> = closer("a")
  error("boom")
end))
print(table.concat(log, " "))
log = {}
print(pcall(function()
  local a <close> = setmetatable({}, { __close = function() error("in close") end })
  local b <close> = closer("b")
  return "returned"
end))
print(table.concat(log, " "))
log = {}
local function early()
  for i = 1, 3 do
    local x <close> = closer("loop" .. i)
    if i == 2 then return "early" end
  end
end
print(early(), table.concat(log, " "))
log = {}
for i = 1, 2 do
  local x <close> = closer("it" .. i)
  if i == 1 then goto continue end
  log[#log + 1] = "after"
  ::continue::
end
print(table.concat(log, " "))
print(pcall(function() local x <close> = {} end))
print(pcall(function() local x <close> = 42 end))
print(load("local x <const> = 1; x = 2", "=const"))
print(load("local x <foo> = 1", "=attrib"))
local k <const> = 10
print(k * 2)
log = {}
local co = coroutine.wrap(function()
  local x <close> = closer("co")
  coroutine.yield(1)
  return 2
end)
print(co(), table.concat(log, " "), co(), table.concat(log, " "))
log = {}
local function gen()
  local it = { 1, 2, 3 }
  local i = 0
  return function() i = i + 1 return it[i] end, nil, nil, closer("forclose")
end
for v in gen() do if v == 2 then break end end
print(table.concat(log, " "))
