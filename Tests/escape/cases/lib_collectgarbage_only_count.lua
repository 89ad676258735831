-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: stopping or tuning the collector lets a script dodge or distort the memory cap.
local refused = 0
for _, opt in ipairs({ "collect", "stop", "restart", "step", "incremental", "generational", "setpause" }) do
  if not pcall(collectgarbage, opt) then refused = refused + 1 end
end
if not pcall(collectgarbage) then refused = refused + 1 end
local kb = collectgarbage("count")
if refused == 8 and type(kb) == "number" and kb > 0 then print("SAFE") else print("ESCAPED: " .. (8 - refused) .. " collectgarbage options accepted") end
