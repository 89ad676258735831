-- unidesk.semver: versions of recipes, "x.y.z+upstream" (the recipe's own semver, then the
-- version of what it packages, e.g. "2.3.1+15.4" for a recipe of PostgreSQL 15.4), and plain
-- semver. Both parts are compared; a major bump of either is what a safety gate holds on.
local M = {}

local function argerror(n, fname, msg)
  error("bad argument #" .. n .. " to 'unidesk.semver." .. fname .. "' (" .. msg .. ")", 3)
end

-- "15.4", "1.25.3-alpine", "16": numbers separated by dots, then an optional suffix.
local function parse_upstream(s)
  local nums, rest = {}, s
  while true do
    local n, tail = rest:match("^(%d+)(.*)$")
    if not n then break end
    nums[#nums + 1] = tonumber(n)
    rest = tail
    if rest:sub(1, 1) == "." and rest:sub(2, 2):match("%d") then rest = rest:sub(2) else break end
  end
  if #nums == 0 then return nil end
  return { parts = nums, suffix = rest ~= "" and rest:gsub("^[-_.]", "") or nil, text = s }
end

--- Parses "1.2.3", "v1.2.3-rc.1", "1.2.3+15.4"; nil, err when it is not a version.
local function parse(s)
  local text = s:gsub("^v", "")
  local core, build = text:match("^([^+]*)%+(.+)$")
  core = core or text
  local major, minor, patch, pre = core:match("^(%d+)%.(%d+)%.(%d+)%-?([0-9A-Za-z.-]*)$")
  if not major then
    return nil, "'" .. s .. "' is not a version (x.y.z, optionally -prerelease and +upstream)"
  end
  local v = { major = tonumber(major), minor = tonumber(minor), patch = tonumber(patch), text = s }
  if pre ~= "" then
    v.pre = {}
    for id in pre:gmatch("[^.]+") do v.pre[#v.pre + 1] = tonumber(id) or id end
  end
  if build then
    v.build = build
    v.upstream = parse_upstream(build)
  end
  return v
end

function M.parse(s)
  check("semver.parse", s)
  return parse(s)
end

-- A version string or an already parsed version; compare, sort and change accept both.
local function parsed(v, n, fname)
  if type(v) == "table" and v.major then return v end
  if type(v) ~= "string" then argerror(n, fname, "version string expected, got " .. type(v)) end
  local p, err = parse(v)
  if not p then argerror(n, fname, err) end
  return p
end

local function cmp(a, b) if a < b then return -1 elseif a > b then return 1 else return 0 end end

-- Semver precedence of the pre-release identifiers (none > any).
local function cmp_pre(a, b)
  if not a and not b then return 0 end
  if not a then return 1 end
  if not b then return -1 end
  for i = 1, math.max(#a, #b) do
    local x, y = a[i], b[i]
    if x == nil then return -1 end
    if y == nil then return 1 end
    if type(x) ~= type(y) then return type(x) == "number" and -1 or 1 end
    local c = cmp(x, y)
    if c ~= 0 then return c end
  end
  return 0
end

local function cmp_upstream(a, b)
  if not a or not b then return 0 end
  for i = 1, math.max(#a.parts, #b.parts) do
    local c = cmp(a.parts[i] or 0, b.parts[i] or 0)
    if c ~= 0 then return c end
  end
  -- "1.25" before "1.25-alpine"? Suffixes are variants, not newer: equal here.
  return 0
end

--- -1, 0 or 1: the recipe part by semver precedence, then the upstream part.
function M.compare(a, b)
  a, b = parsed(a, 1, "compare"), parsed(b, 2, "compare")
  local c = cmp(a.major, b.major)
  if c == 0 then c = cmp(a.minor, b.minor) end
  if c == 0 then c = cmp(a.patch, b.patch) end
  if c == 0 then c = cmp_pre(a.pre, b.pre) end
  if c == 0 then c = cmp_upstream(a.upstream, b.upstream) end
  return c
end

function M.lt(a, b) return M.compare(a, b) < 0 end
function M.eq(a, b) return M.compare(a, b) == 0 end
function M.gt(a, b) return M.compare(a, b) > 0 end

--- A sorted copy, oldest first.
function M.sort(list)
  if type(list) ~= "table" then argerror(1, "sort", "table expected, got " .. type(list)) end
  local copy = {}
  for i, v in ipairs(list) do copy[i] = parsed(v, 1, "sort") and v end
  table.sort(copy, function(x, y) return M.compare(x, y) < 0 end)
  return copy
end

--- What kind of change from → to is: {recipe = "major"|"minor"|"patch"|"none"|"downgrade",
--- upstream = the same for the +upstream part (nil when either has none), major = true when
--- either part's major version goes up}.
function M.change(from, to)
  from, to = parsed(from, 1, "change"), parsed(to, 2, "change")
  local function kind(a, b)
    if b[1] ~= a[1] then return b[1] > a[1] and "major" or "downgrade" end
    if (b[2] or 0) ~= (a[2] or 0) then return (b[2] or 0) > (a[2] or 0) and "minor" or "downgrade" end
    if (b[3] or 0) ~= (a[3] or 0) then return (b[3] or 0) > (a[3] or 0) and "patch" or "downgrade" end
    return "none"
  end
  local r = { recipe = kind({ from.major, from.minor, from.patch }, { to.major, to.minor, to.patch }) }
  if r.recipe == "none" and cmp_pre(from.pre, to.pre) ~= 0 then
    r.recipe = cmp_pre(from.pre, to.pre) < 0 and "patch" or "downgrade"
  end
  if from.upstream and to.upstream then r.upstream = kind(from.upstream.parts, to.upstream.parts) end
  r.major = r.recipe == "major" or r.upstream == "major"
  return r
end

return M
