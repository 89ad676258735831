-- goto and labels: continue idiom, backward jumps, nested blocks, and the compile errors
-- for jumping into a local's scope, undefined and duplicate labels.
local out = {}
for i = 1, 5 do
  if i % 2 == 0 then goto continue end
  out[#out + 1] = i
  ::continue::
end
print(table.concat(out, ","))
local n = 0
::top::
n = n + 1
if n < 3 then goto top end
print(n)
do
  goto skip
  print("not printed")
  ::skip::
end
local closures = {}
do
  local i = 1
  ::again::
  local j = i
  closures[#closures + 1] = function() return j end
  i = i + 1
  if i <= 3 then goto again end
end
print(closures[1](), closures[2](), closures[3]())
print(load("goto nowhere", "=g1"))
print(load("do ::a:: end ::a:: ::a::", "=g2"))
print(load("goto f; local x; ::f:: print(x)", "=g3"))
print(load("do goto f; local x end ::f::", "=g4") ~= nil)
print(load("repeat goto cont; local x ::cont:: until x", "=g5"))
print(load("::a:: ::b:: goto a", "=g6") ~= nil)
