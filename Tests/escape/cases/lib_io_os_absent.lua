-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: io and os give files, processes (os.execute, io.popen) and the environment; io keeps
-- only writing to stdout/stderr.
local names = {}
for name in pairs(io) do names[#names + 1] = name end
table.sort(names)
local streams_ok = io.stdout.read == nil and io.stdout.lines == nil and io.stdout.close == nil
  and io.stdout.seek == nil and io.stderr.read == nil
if os == nil and rawget(_G, "os") == nil and table.concat(names, ",") == "stderr,stdout,type,write" and streams_ok
  and not pcall(function() io.open = function() end end) then print("SAFE")
else print("ESCAPED: io has " .. table.concat(names, ",")) end
