-- The compose consumer's policy: recreate one service on the desired commit's image by
-- digest (pull-only, no build), verify it runs that commit (the image's revision label and
-- the health endpoint's deploy.commit), or put the previous digest back and fail.
local registry = require "unidesk.registry"
local compose = require "unidesk.compose"
local http = require "unidesk.http"
local M = {}

--- cfg: project, dir, service, image_var, repo, commit, health, timeout, env (other
--- compose variables). Returns {outcome = "deployed", digest, container}; under unidesk plan
--- {outcome = "planned", digest (nil when plan --offline asked no registry), image}.
function M.run(cfg)
  local function project(image)
    local env = {}
    for k, v in pairs(cfg.env or {}) do env[k] = v end
    env[cfg.image_var] = image
    return { project = cfg.project, dir = cfg.dir, env = env }
  end
  local function with(t, extra) for k, v in pairs(extra) do t[k] = v end return t end
  local artifact = registry.head(cfg.repo .. ":" .. cfg.commit)
  local pinned
  if artifact.unknown then
    -- plan --offline asked no registry: whether the commit was published is not known, nor
    -- the digest a run would pin. The plan goes on with the tag.
    unidesk.log.info("artifact " .. cfg.repo .. ":" .. cfg.commit .. " unknown (offline plan): not checked; a run pins its digest")
    pinned = cfg.repo .. ":" .. cfg.commit
  elseif not artifact.exists then
    error({ kind = "not_published", message = "no artifact for " .. cfg.commit .. " in " .. cfg.repo .. ": publish it first" }, 0)
  else
    pinned = cfg.repo .. "@" .. artifact.digest
  end
  local before = compose.inspect(with(project(pinned), { service = cfg.service }))
  local previous = before and before.digest and (cfg.repo .. "@" .. before.digest)

  local function verify(c)
    local label = c.labels["org.opencontainers.image.revision"]
    if label ~= cfg.commit then return false, "the container's revision label is " .. tostring(label) .. ", not " .. cfg.commit end
    local ok, why = pcall(http.wait, cfg.health, { timeout = cfg.timeout or 30, interval = 0.5,
      ["until"] = function(r) return r.status == 200 and r:json().deploy.commit == cfg.commit end })
    if not ok then return false, "the health endpoint does not report " .. cfg.commit .. ": " .. tostring(type(why) == "table" and why.message or why) end
    return true
  end

  local ok, c = pcall(compose.recreate, with(project(pinned), { service = cfg.service, timeout = cfg.timeout }))
  if ok and c.unknown then
    -- unidesk plan: nothing was recreated, so there is nothing to verify or roll back yet.
    return { outcome = "planned", digest = artifact.digest, image = pinned }
  end
  local good, why = false, ok and nil or (type(c) == "table" and (c.message or tostring(c)) or tostring(c))
  if ok then good, why = verify(c) end
  if good then return { outcome = "deployed", digest = artifact.digest, container = c.id } end
  if previous then
    -- Recovery a plan cannot contain (its verification never ran): `unidesk apply` performs
    -- it outside the saved plan's comparison (unidesk.volatile), unless it already found drift.
    unidesk.volatile(compose.recreate, with(project(previous), { service = cfg.service, pull = false, timeout = cfg.timeout }))
  end
  error({ kind = "rolled_back", message = cfg.service .. " on " .. cfg.commit .. " failed (" .. why .. ")"
    .. (previous and "; the previous digest runs again" or "; there was no previous container") }, 0)
end

return M
