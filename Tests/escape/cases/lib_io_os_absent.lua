-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: io and os give files, processes (os.execute, io.popen) and the environment.
if io == nil and os == nil and rawget(_G, "io") == nil and rawget(_G, "os") == nil then print("SAFE")
else print("ESCAPED: io/os reachable") end
