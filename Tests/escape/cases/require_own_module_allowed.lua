-- expect: exit=0 stdout~SAFE within=5
-- why: the control case: modules in the recipe's own directory do load.
local helper = require "sub.helper"
if helper.ok == true then print("SAFE") end
