-- The artifact lane's rows: for every service and environment of a desired-state file, does
-- the desired commit's artifact exist, which commit runs, and what should happen next.
-- Reads only: registry HEADs, health endpoints, and optionally a Deployment's annotation or a
-- container's label.
local registry = require "unidesk.registry"
local http = require "unidesk.http"
local M = {}

M.envs = { "dev", "prod" }

-- The commit running in one environment, from the first source the env names.
function M.runtime_commit(env)
  if env.health then
    local ok, r = pcall(http.get, env.health, { timeout = 5 })
    if not ok then return nil, "unreachable (" .. tostring(type(r) == "table" and r.kind or r) .. ")" end
    if r.unknown then return nil, "unknown (plan --offline)" end
    if r.status >= 400 then return nil, "unhealthy (HTTP " .. r.status .. ")" end
    local jok, body = pcall(r.json, r)
    local commit = jok and type(body) == "table" and type(body.deploy) == "table" and body.deploy.commit or nil
    if not commit then return nil, "no deploy.commit in the health response" end
    return commit
  end
  if env.deployment then
    local kube = require "unidesk.kube"
    local d = kube.get { kind = "Deployment", name = env.deployment.name, namespace = env.deployment.namespace }
    if not d then return nil, "no Deployment " .. env.deployment.name end
    if d.unknown then return nil, "unknown (plan --offline)" end
    local a = d.metadata.annotations or {}
    return a["unidesk.dev/commit"] or a["app.kubernetes.io/version"], nil
  end
  if env.compose then
    local compose = require "unidesk.compose"
    local c = compose.inspect { project = env.compose.project, service = env.compose.service, dir = env.compose.dir }
    if not c then return nil, "no container" end
    if c.unknown then return nil, "unknown (plan --offline)" end
    return c.labels["org.opencontainers.image.revision"], nil
  end
  return nil, "no source for the running commit (health, deployment or compose)"
end

local function status_of(desired, runtime, problem)
  if problem then return problem end
  if runtime == desired then return "current" end
  return "behind (runs " .. tostring(runtime):sub(1, 12) .. ")"
end

--- Normalised rows, one per service, in the desired-state file's order.
function M.rows(desired)
  local refs, services = {}, {}
  for i, s in ipairs(desired.services or {}) do
    if type(s.name) ~= "string" or type(s.image) ~= "string" or type(s.commit) ~= "string" then
      error("services[" .. i .. "] needs name, image (repository) and commit as strings"
        .. (type(s.commit) == "number" and " (quote the commit in YAML: an all-digit one reads as a number)" or ""), 0)
    end
    refs[#refs + 1] = s.image .. ":" .. s.commit
    services[#services + 1] = s
  end
  local heads = #refs > 0 and registry.head_many(refs) or {}
  local rows = {}
  for i, s in ipairs(services) do
    local h = heads[i] or {}
    local row = {
      service = s.name, desiredCommit = s.commit, artifactExists = h.exists == true, digest = h.digest,
      blockedScopes = {}, runtimeCommit = {},
    }
    if h.error then row.artifactError = h.error.kind .. ": " .. h.error.message end
    if h.unknown then
      -- Not asked, so neither yes nor no: the row leaves artifactExists out.
      row.artifactExists = nil
      row.artifactError = "unknown: plan --offline asked no registry"
    end
    for _, name in ipairs(M.envs) do
      local env = (s.envs or {})[name]
      local status
      if not env then
        status = "not deployed here"
      else
        local runtime, problem = M.runtime_commit(env)
        row.runtimeCommit[name] = runtime
        status = status_of(s.commit, runtime, problem)
        if env.blocked then row.blockedScopes[#row.blockedScopes + 1] = name .. (type(env.blocked) == "string" and (": " .. env.blocked) or "") end
      end
      row[name .. "Status"] = status
    end
    row.recommendedAction = M.action(row, s)
    rows[#rows + 1] = row
  end
  return rows
end

--- What to do next for one row.
function M.action(row, s)
  if not row.artifactExists then
    return row.artifactError and ("check the registry (" .. row.artifactError .. ")") or ("publish " .. s.commit:sub(1, 12) .. " (no artifact)")
  end
  if row.devStatus ~= "current" and row.devStatus ~= "not deployed here" then return "deploy to dev" end
  if row.prodStatus ~= "current" and row.prodStatus ~= "not deployed here" then
    for _, b in ipairs(row.blockedScopes) do
      if b:sub(1, 4) == "prod" then return "wait: " .. b end
    end
    return "promote to prod"
  end
  return "none"
end

return M
