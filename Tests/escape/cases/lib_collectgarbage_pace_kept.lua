-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: stopping or retuning the collector would let garbage count against the memory cap;
-- the options that leave its pace alone work as in Lua 5.4.
local refused = 0
for _, call in ipairs({ { "stop" }, { "setpause", 1000 }, { "setstepmul", 1 }, { "incremental", 1000 },
                        { "generational", 1, 1 } }) do
  if not pcall(collectgarbage, table.unpack(call)) then refused = refused + 1 end
end
local accepted = 0
for _, opt in ipairs({ "collect", "step", "count", "isrunning", "incremental", "generational", "restart" }) do
  if pcall(collectgarbage, opt) then accepted = accepted + 1 end
end
if refused == 5 and accepted == 7 and collectgarbage("isrunning") == true then print("SAFE")
else print("ESCAPED: refused " .. refused .. " of 5, accepted " .. accepted .. " of 7") end
