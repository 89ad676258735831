-- unidesk.json: the host codec plus the null sentinel.
local _, host = ...
local M = {}

M.encode = host.encode
M.decode = host.decode
--- The null sentinel: JSON null decodes to it, and it encodes to null.
M.null = unidesk.null

return M
