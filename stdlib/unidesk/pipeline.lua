-- unidesk.pipeline: steps with retries, per-step timeouts (the host bounds every primitive
-- called inside a step) and `always` clean-up steps.
local _, host = ...
local time = require "unidesk.time"
local M = {}

local function kind_of(e)
  if type(e) == "table" then
    local ok, k = pcall(function() return e.kind end)
    if ok then return k end
  end
  return nil
end

--- Runs the steps; returns the report (see docs/reference/pipeline.md).
function M.run(spec)
  check("pipeline.run", spec)
  local report = { name = spec.name, ok = true, steps = {} }
  local failed = false
  for _, s in ipairs(spec.steps) do
    if failed then
      -- In the run's report too (status "skipped"), so JUnit shows it as <skipped/>.
      host._step_skipped(s.name, "an earlier step failed (" .. report.failed_step .. ")")
      report.steps[#report.steps + 1] = { name = s.name, status = "skipped", attempts = 0, seconds = 0 }
    else
      local tries = (s.retries or 0) + 1
      local attempts, ok, err, status = 0, false, nil, "failed"
      local started = time.monotonic()
      repeat
        attempts = attempts + 1
        -- Every attempt is the same step of the run's report (its attempts listed in it).
        host._step_attempt(attempts, tries)
        host._deadline_push(s.timeout)
        -- A step that ends past its timeout fails as timed out even when no primitive
        -- noticed (a pure-Lua loop): the host checks when the step ends.
        ok, err = pcall(unidesk.step, s.name, s.run, spec.context)
        host._deadline_pop()
        status = ok and "ok" or (kind_of(err) == "timeout" and "timeout" or "failed")
        if ok or kind_of(err) == "denied" or attempts >= tries then break end
        time.sleep((s.backoff or 1) * 2 ^ (attempts - 1))
      until false
      local entry = { name = s.name, status = status, attempts = attempts, seconds = time.monotonic() - started }
      if not ok then
        entry.error = err   -- the error value itself: fields (kind, message, …) stay readable
        failed = true
        report.ok = false
        report.failed_step = s.name
        report.error = err
      end
      report.steps[#report.steps + 1] = entry
    end
  end
  for _, a in ipairs(spec.always or {}) do
    local started = time.monotonic()
    local ok, err = pcall(unidesk.step, a.name, a.run, report)
    local entry = { name = a.name, status = ok and "ok" or "failed", attempts = 1, seconds = time.monotonic() - started, always = true }
    if not ok then
      entry.error = err   -- the error value itself: fields (kind, message, …) stay readable
      report.cleanup_failed = true
    end
    report.steps[#report.steps + 1] = entry
  end
  return report
end

return M
