-- expect: exit=1 stderr~read-only stdout!~ESCAPED within=5
-- why: coroutine.resume/wrap are the sandbox's limit-aware versions; replacing them must fail.
coroutine.resume = function() return true end
print("ESCAPED: coroutine.resume replaced")
