-- The package table a pure-Lua library relies on: config, loaded (holding the standard
-- libraries and _G), preload, path/searchers types, searchpath, and require of a
-- package.preload entry.
print(type(package))
print(package.config == "/\n;\n?\n!\n-\n", #package.config)
print(type(package.loaded), package.loaded.string == string, package.loaded.table == table)
print(package.loaded.math == math, package.loaded.utf8 == utf8, package.loaded.coroutine == coroutine)
print(package.loaded._G == _G, package.loaded["package"] == package)
print(type(package.preload), type(package.path), type(package.searchers), type(package.searchpath))
local dirsep, pathsep, mark = package.config:match("^(.-)\n(.-)\n(.-)\n")
print(dirsep, pathsep, mark)
package.preload["fidelity.preloaded"] = function(name, extra)
  return { name = name, extra = extra }
end
local m = require("fidelity.preloaded")
print(m.name, m.extra, require("fidelity.preloaded") == m, package.loaded["fidelity.preloaded"] == m)
local ok, err = pcall(require, "fidelity.surely_missing_module")
print(ok, type(err), err:match("^module 'fidelity.surely_missing_module' not found:") ~= nil)
print(type(package.searchpath("fidelity_missing", "./?.x")), select("#", package.searchpath("fidelity_missing", "./?.x")))
