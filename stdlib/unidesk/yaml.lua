-- unidesk.yaml: the host codec plus the null sentinel.
local _, host = ...
local M = {}

M.decode = host.decode
M.decode_all = host.decode_all
M.encode = host.encode
M.encode_all = host.encode_all
--- The null sentinel: YAML null decodes to it, and it encodes to null.
M.null = unidesk.null

return M
