-- upgrade-base: which version to upgrade *from*, and the two deploys of an upgrade test.
local state = require "unidesk.state"
local compose = require "unidesk.compose"
local M = {}

--- The base: an explicit override, else the last green run's version (state
--- <app>/last-green), else the target branch's tip, else nil: the upgrade tier is skipped.
--- Returns base, source.
function M.choose(app, options)
  options = options or {}
  if options.override and options.override ~= "" then return options.override, "override" end
  local green = state.get(app .. "/last-green")
  if green and green.version then return green.version, "last green" end
  if options.branch_tip and options.branch_tip ~= "" then return options.branch_tip, "branch tip" end
  return nil, "no base: the upgrade tier is skipped"
end

--- Deploys the base with the recipe's previous/ overlay, then the head without it; services
--- the head no longer defines are removed once the head has converged.
--- cfg: project, dir, files (the head's), previous (the overlay, applied to the base only),
--- image_var, repo, base, head, env.
function M.upgrade(cfg)
  local function project(files, image)
    local env = {}
    for k, v in pairs(cfg.env or {}) do env[k] = v end
    env[cfg.image_var] = cfg.repo .. ":" .. image
    return { project = cfg.project, dir = cfg.dir, files = files, env = env }
  end
  local base_files = {}
  for _, f in ipairs(cfg.files) do base_files[#base_files + 1] = f end
  if cfg.previous then base_files[#base_files + 1] = cfg.previous end
  unidesk.step("deploy base " .. cfg.base, function()
    local p = project(base_files, cfg.base)
    p.wait = true
    compose.up(p)
  end)
  unidesk.step("upgrade to " .. cfg.head, function()
    local p = project(cfg.files, cfg.head)
    p.wait = true
    compose.up(p)
  end)
  -- Only now, in an up of its own: `compose up --remove-orphans` removes the orphans *before*
  -- it starts anything, so asking for it in the head's up would drop the base's services
  -- even when the head then never converges.
  return unidesk.step("remove services the head no longer defines", function()
    local p = project(cfg.files, cfg.head)
    p.wait = true
    p.remove_orphans = true
    return compose.up(p)
  end)
end

return M
