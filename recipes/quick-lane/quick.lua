-- quick-lane: test an upgrade on the warm canonical (its volume kept between runs, the app
-- undeployed) instead of building everything cold. A quick run never promotes anything.
local state = require "unidesk.state"
local compose = require "unidesk.compose"
local snapshot = require "unidesk.snapshot"
local M = {}

--- cfg: app, project (files/dir/env for compose), head (the image to test), image_var,
--- check (function() that raises when the upgraded app is wrong), base and volumes (for the
--- cold path: the known-good image, and the engine volumes that make the canonical).
--- Without a warm canonical: {path = "cold", reason} when there is no base to build one;
--- with a base, the cold path builds it first. Else {path = "quick" | "cold", passed, …}, or
--- under unidesk plan {path, reason, planned = true, known_good (nil when the plan would take it)}.
function M.run(cfg)
  local canonical = state.get(cfg.app .. "/canonical")
  local known_good = snapshot.info { app = cfg.app }
  local function project(image, extra)
    local p = { project = cfg.project.project, files = cfg.project.files, dir = cfg.project.dir, env = {} }
    for k, v in pairs(cfg.project.env or {}) do p.env[k] = v end
    p.env[cfg.image_var] = image
    for k, v in pairs(extra or {}) do p[k] = v end
    return p
  end
  local path, reason = "quick", nil
  if not canonical or not known_good then
    reason = not canonical and "no warm canonical" or "no known-good snapshot"
    if not cfg.base then return { path = "cold", reason = reason } end
    -- The cold path: the base on the app's volume, kept as the warm canonical (its snapshot
    -- the known-good), then the same upgrade test as a quick run.
    path = "cold"
    local deployed, why = pcall(unidesk.step, "cold: deploy the base " .. cfg.base .. " (" .. reason .. ")", function()
      compose.up(project(cfg.base, { wait = true }))
    end)
    if not deployed then
      -- Clean-up a plan cannot contain (the base came up there): outside a saved plan's comparison.
      pcall(unidesk.volatile, compose.down, project(cfg.base, { volumes = false }))
      error("cold path: the base " .. cfg.base .. " did not come up: " .. tostring(type(why) == "table" and why.message or why), 0)
    end
    known_good = unidesk.step("cold: keep the base as the warm canonical", function()
      compose.stop(project(cfg.base))
      local m = snapshot.take { app = cfg.app, volumes = cfg.volumes, meta = { version = cfg.base } }
      state.set(cfg.app .. "/canonical", { volumes = cfg.volumes, base = cfg.base })
      return m
    end)
  end
  local planned = false
  local ok, err = pcall(unidesk.step, "reattach the canonical and upgrade to " .. cfg.head, function()
    local running = compose.up(project(cfg.head, { wait = true }))
    if running and running.unknown then
      -- unidesk plan: nothing was deployed, so there is nothing to check yet.
      planned = true
      return
    end
    -- Health alone would pass a lane that never ran the head (a wrong image_var leaves the
    -- compose file's default image running).
    local runs_head = false
    for _, c in ipairs(running or {}) do runs_head = runs_head or c.image == cfg.head end
    if not runs_head then
      error("no container runs the head " .. cfg.head .. " (is " .. cfg.image_var .. " the compose variable of its image?)", 0)
    end
    cfg.check()
  end)
  if ok then
    unidesk.step("undeploy, keep the volume", function() compose.down(project(cfg.head, { volumes = false })) end)
    -- A plan lists a passing run's effects; whether the head passes is not known.
    if planned then return { path = path, reason = reason, planned = true, known_good = known_good.id } end
    return { path = path, reason = reason, passed = true, known_good = known_good.id }
  end
  -- Recovery a plan cannot contain (the head's check never ran there): `unidesk apply` performs
  -- it outside the saved plan's comparison (unidesk.volatile), unless it already found drift.
  unidesk.volatile(unidesk.step, "restore the known-good snapshot and undeploy", function()
    compose.stop(project(cfg.head))
    snapshot.restore { app = cfg.app, force = false }
    compose.down(project(cfg.head, { volumes = false }))
  end)
  return { path = path, reason = reason, passed = false, error = tostring(type(err) == "table" and err.message or err), known_good = known_good.id }
end

return M
