-- Turns a decoded desired-state document into sorted rows, and lists the drift.
local function check(cond, message)
  if not cond then error(message, 3) end
end

return function(desired)
  check(type(desired) == "table" and type(desired.services) == "table", "desired state: 'services' list missing")
  local rows, problems = {}, {}
  for i, svc in ipairs(desired.services) do
    local where = "services[" .. i .. "]"
    check(type(svc.name) == "string", where .. ": 'name' missing")
    check(type(svc.desired_commit) == "string", svc.name .. ": 'desired_commit' missing")
    check(type(svc.envs) == "table", svc.name .. ": 'envs' missing")
    local envs = {}
    for env in pairs(svc.envs) do envs[#envs + 1] = env end
    table.sort(envs)
    for _, env in ipairs(envs) do
      local e = svc.envs[env]
      local tag = tostring(e.image_tag)
      local status
      if e.hold then
        status = "held"
      elseif tag == svc.desired_commit then
        status = "current"
      else
        status = "drift"
        problems[#problems + 1] = string.format("%s/%s runs %s, desired %s", svc.name, env, tag, svc.desired_commit)
      end
      rows[#rows + 1] = {
        service = svc.name, env = env, desired_commit = svc.desired_commit, image_tag = tag,
        image = string.format("%s/%s:%s", desired.registry or "docker.io", svc.repository or svc.name, tag),
        status = status,
      }
    end
  end
  return rows, problems
end
