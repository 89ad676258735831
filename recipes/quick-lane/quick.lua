-- quick-lane: test an upgrade on the warm canonical (its volume kept between runs, the app
-- undeployed) instead of building everything cold. A quick run never promotes anything.
local state = require "unidesk.state"
local compose = require "unidesk.compose"
local snapshot = require "unidesk.snapshot"
local M = {}

--- cfg: app, project (files/dir/env for compose), head (the image to test), image_var,
--- check (function() that raises when the upgraded app is wrong).
--- Returns {path = "cold"} when there is no warm canonical, else {path = "quick", passed}.
function M.run(cfg)
  local canonical = state.get(cfg.app .. "/canonical")
  local known_good = snapshot.info { app = cfg.app }
  if not canonical or not known_good then
    return { path = "cold", reason = not canonical and "no warm canonical" or "no known-good snapshot" }
  end
  local function project(extra)
    local p = { project = cfg.project.project, files = cfg.project.files, dir = cfg.project.dir, env = {} }
    for k, v in pairs(cfg.project.env or {}) do p.env[k] = v end
    p.env[cfg.image_var] = cfg.head
    for k, v in pairs(extra or {}) do p[k] = v end
    return p
  end
  local ok, err = pcall(unidesk.step, "reattach the canonical and upgrade to " .. cfg.head, function()
    local running = compose.up(project { wait = true })
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
    unidesk.step("undeploy, keep the volume", function() compose.down(project { volumes = false }) end)
    return { path = "quick", passed = true, known_good = known_good.id }
  end
  unidesk.step("restore the known-good snapshot and undeploy", function()
    compose.stop(project())
    snapshot.restore { app = cfg.app, force = false }
    compose.down(project { volumes = false })
  end)
  return { path = "quick", passed = false, error = tostring(type(err) == "table" and err.message or err), known_good = known_good.id }
end

return M
