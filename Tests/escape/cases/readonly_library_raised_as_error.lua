-- expect: exit=0 stdout~INTACT stdout!~ESCAPED within=5
-- why: a step's error handler adds `where` to error tables; a frozen library table raised as an error must not get fields written into it (the repl checks the run's own handler).
local json = require "unidesk.json"
local ok = xpcall(function() error(json) end, function(e) return e end)
local ok2 = pcall(unidesk.step, "raise a library table", function() error(json) end)
if rawget(json, "where") ~= nil or rawget(json, "traceback") ~= nil or json.where ~= nil or json.traceback ~= nil then
  print("ESCAPED: fields written into unidesk.json")
else
  print("INTACT")
end
