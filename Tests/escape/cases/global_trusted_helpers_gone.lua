-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: the prelude's freeze/traceback helpers and the raw host table must not be left in globals.
local leaked = {}
for k, v in pairs(_G) do
  if type(k) == "string" and (k:find("trusted") or k:find("^__") or k == "host") then leaked[#leaked + 1] = k end
end
for k, v in pairs(unidesk) do
  if k == "host" or k == "find_module" or k == "write_stdout" or k == "step_begin" then leaked[#leaked + 1] = "unidesk." .. k end
end
if #leaked == 0 then print("SAFE") else print("ESCAPED: " .. table.concat(leaked, ", ")) end
