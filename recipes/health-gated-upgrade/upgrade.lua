-- The health-gated upgrade as a function of its primitives, so the policy is tested with
-- fakes (upgrade_test.lua) and run for real by recipe.lua.
local compose = require "unidesk.compose"
local snapshot = require "unidesk.snapshot"
local http = require "unidesk.http"
local state = require "unidesk.state"
local alert = require "unidesk.alert"
local migrate = require "unidesk.migrate"
local registry = require "unidesk.registry"
local M = {}

--- cfg: app, project, dir, service, image_var (the compose variable holding the image),
--- repo, target (tag), health (URL), volumes, env (other compose variables), timeout,
--- restart (the other services, started again once the service is settled), migrations
--- (optional: migrate.gate's options, the gate run before anything is touched).
--- Returns {outcome = "upgraded" | "rolled_back" | "held", ...} ("planned" under unidesk plan,
--- where nothing is recreated and so nothing health-gated); raises only when even the
--- rollback failed (the alert says so first).
function M.run(cfg)
  if cfg.migrations then
    -- The gate comes first: a migration that fails as the deploy role holds the upgrade
    -- while the running version, its data and last-good are still untouched.
    local passed, err = pcall(unidesk.step, "migration gate", function() return migrate.gate(cfg.migrations) end)
    if not passed then
      if type(err) ~= "table" or err.kind ~= "migration_failed" then error(err, 0) end
      alert.raise { kind = "held", app = cfg.app, severity = "warning", attempted = cfg.target, recovered = true,
        notes = err.message .. "; nothing was stopped or deployed" }
      return { outcome = "held", reason = err.message }
    end
  end
  local function project(image)
    local env = {}
    for k, v in pairs(cfg.env or {}) do env[k] = v end
    env[cfg.image_var] = image
    return { project = cfg.project, dir = cfg.dir, env = env }
  end
  local function with(t, extra) for k, v in pairs(extra) do t[k] = v end return t end
  local function healthy(version, timeout)
    return pcall(http.wait, cfg.health, { timeout = timeout or cfg.timeout or 60, interval = 0.5,
      ["until"] = function(r) return r.status == 200 and r:json().deploy.version == version end })
  end

  -- The artifact first: a tag never published holds the upgrade before anything is touched,
  -- and under `unidesk apply` a tag re-pushed since the plan is drift here, at a read, not
  -- after the service was stopped.
  local artifact = registry.head(cfg.repo .. ":" .. cfg.target)
  if not artifact.unknown and not artifact.exists then
    local why = cfg.repo .. ":" .. cfg.target .. " is not published (registry answered " .. tostring(artifact.status) .. ")"
    alert.raise { kind = "held", app = cfg.app, severity = "warning", attempted = cfg.target, recovered = true, notes = why .. "; nothing was stopped or deployed" }
    return { outcome = "held", reason = why }
  end

  local last = state.get(cfg.app .. "/last-good")
  local running = compose.inspect(with(project(cfg.repo .. ":" .. cfg.target), { service = cfg.service }))
  local current
  if last and not last.unknown then
    current = last
  elseif running and running.unknown then
    -- plan --offline asked no engine (nor a state database): which version runs is unknown.
    -- The plan goes on, to list what the upgrade would do; a run learns the version here.
    current = { unknown = true }
  elseif running then
    current = { tag = running.image:match(":([^:/]+)$"), version = running.labels["org.opencontainers.image.version"] }
  end
  if not current or not (current.tag or current.unknown) then
    error("no last-good for " .. cfg.app .. " and no running " .. cfg.service .. " to learn it from", 0)
  end
  local current_version = current.unknown and "(unknown: offline plan)" or tostring(current.version)
  unidesk.step("record last-good " .. current_version, function()
    state.set(cfg.app .. "/last-good", current)
  end)
  local target_image = cfg.repo .. ":" .. cfg.target
  -- The image only fills compose's variable; stop does not need the right one, so an
  -- offline plan that does not know the running tag stops with the target's.
  unidesk.step("stop", function() compose.stop(project(current.tag and (cfg.repo .. ":" .. current.tag) or target_image)) end)
  unidesk.step("snapshot", function()
    snapshot.take { app = cfg.app, volumes = cfg.volumes, meta = { version = current.version, tag = current.tag } }
  end)
  local ok, err = pcall(unidesk.step, "deploy " .. cfg.target, function()
    local c = compose.recreate(with(project(target_image), { service = cfg.service, timeout = cfg.timeout }))
    -- unidesk plan: nothing was recreated, so the health gate has nothing to check yet.
    if c.unknown then return c end
    local version = c.labels["org.opencontainers.image.version"]
    local good, why = healthy(version)
    if not good then error(why, 0) end
    return c
  end)
  local function restart_others(image)
    if cfg.restart and #cfg.restart > 0 then
      unidesk.step("start " .. table.concat(cfg.restart, ", "), function()
        compose.up(with(project(image), { services = cfg.restart }))
      end)
    end
  end
  if ok then
    local c = err
    restart_others(target_image)
    state.set(cfg.app .. "/last-good", { tag = cfg.target, version = c.labels["org.opencontainers.image.version"], digest = c.digest })
    -- A good upgrade ends the app's earlier alerts (a rollback, a hold): the sinks hear it.
    alert.resolve { app = cfg.app }
    -- Planned: the new version and digest are known only once it runs.
    return { outcome = c.unknown and "planned" or "upgraded", version = c.labels["org.opencontainers.image.version"], digest = c.digest }
  end

  -- Roll back: the snapshot's data, then the prior version, then prove it is healthy.
  local reason = type(err) == "table" and (err.message or tostring(err)) or tostring(err)
  -- Recovery a plan cannot contain (its health gate never ran): `unidesk apply` performs it
  -- outside the saved plan's comparison (unidesk.volatile), unless it already found drift.
  local back, rerr = pcall(unidesk.volatile, unidesk.step, "roll back to " .. tostring(current.version), function()
    compose.stop(project(target_image))
    snapshot.restore { app = cfg.app }
    compose.recreate(with(project(cfg.repo .. ":" .. current.tag), { service = cfg.service, pull = false, timeout = cfg.timeout }))
    local good, why = healthy(current.version)
    if not good then error(why, 0) end
  end)
  if back then unidesk.volatile(restart_others, cfg.repo .. ":" .. current.tag) end
  -- A rollback that worked leaves the last good version serving: a warning; one that failed
  -- leaves the app down: critical.
  alert.raise { kind = back and "rolled_back" or "rollback_failed", app = cfg.app, severity = back and "warning" or "critical", attempted = cfg.target,
    last_good = tostring(current.version), recovered = back, notes = reason .. (back and "" or ("; rollback: " .. tostring(rerr))) }
  if not back then error("upgrade to " .. cfg.target .. " failed and so did the rollback: " .. tostring(rerr), 0) end
  return { outcome = "rolled_back", reason = reason, version = current.version }
end

return M
