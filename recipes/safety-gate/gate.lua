-- The safety gate's decision, as a pure function: hold on a major bump of either version
-- part, or on release notes that ask for a manual step; otherwise proceed.
local semver = require "unidesk.semver"
local M = {}

-- Phrases in release notes that mean "a person must do something": matched case-insensitively.
M.manual_markers = { "manual migration", "migrate manually", "manual step", "manual intervention", "requires manual", "breaking change" }

--- The lines of `notes` that mention a manual step.
function M.manual_lines(notes)
  local found = {}
  for line in (notes or ""):gmatch("[^\n]+") do
    local lower = line:lower()
    for _, marker in ipairs(M.manual_markers) do
      if lower:find(marker, 1, true) then found[#found + 1] = line:gsub("^%s*[-*]%s*", ""); break end
    end
  end
  return found
end

--- {decision = "proceed" | "hold", reasons = {...}} for an upgrade from current to target.
function M.decide(current, target, notes)
  local reasons = {}
  local change = semver.change(current, target)
  if change.recipe == "downgrade" then
    reasons[#reasons + 1] = "target " .. target .. " is older than " .. current .. " (a downgrade is not an upgrade)"
  end
  if change.recipe == "major" then
    reasons[#reasons + 1] = "major upgrade of the recipe: " .. current .. " → " .. target
  end
  if change.upstream == "major" then
    reasons[#reasons + 1] = "major upgrade of the upstream version: " .. current .. " → " .. target
  end
  for _, line in ipairs(M.manual_lines(notes)) do
    reasons[#reasons + 1] = "release notes: " .. line
  end
  return { decision = #reasons == 0 and "proceed" or "hold", reasons = reasons, change = change }
end

return M
