import LuaRuntime
import UnideskBindings
import UnideskCore

/// `help(x)`, `?x` and `:help NAME`: the generated reference of a primitive or module, the
/// same text as `unidesk doc NAME` (its parameters, returns, effect, capability and errors).
enum ReplReference {
    static var generator: ReferenceGenerator { ReferenceGenerator(libraries: Libraries.all) }

    /// The reference for a name as `unidesk doc` takes it (`kube.apply`, `kube`,
    /// `pg.connection:exec`, `env`); nil when there is none.
    static func text(for name: String) -> String? {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        return generator.reference(for: trimmed)
    }

    /// The methods the reference lists for a class (`pg.connection` → exec, query, …).
    static func methods(of className: String) -> [String] {
        let prefix = "## `unidesk.\(className):"
        return generator.files().values.flatMap { page in
            page.split(separator: "\n").compactMap { line -> String? in
                guard line.hasPrefix(prefix) else { return nil }
                return String(line.dropFirst(prefix.count).prefix(while: { $0 != "(" }))
            }
        }.sorted()
    }

    /// What to say when a name has no reference.
    static func unknown(_ name: String) -> String {
        "no reference for '\(name)': :modules lists the modules; help(kube) or :help kube lists a module's functions"
    }

    /// Defines the global `help` in a session. `lookup(name)` (a host function) prints the
    /// reference; this chunk only finds the name of a value: a module table, a module's
    /// function, a function of `unidesk`, or a method of an object (`conn.exec`) whose
    /// metatable names its class (`__name = "unidesk.pg.connection"`). It reads tables with
    /// next/rawget on the modules' own tables and metatables: no metamethod of a recipe's
    /// value runs.
    static let helpChunk = #"""
    local lookup, modules = ...
    local type, rawequal, rawget, next, pairs, pcall, require, getmetatable, ipairs =
          type, rawequal, rawget, next, pairs, pcall, require, getmetatable, ipairs
    local core, globals = unidesk, _G
    local function entries(t)
      -- Module tables are read-only proxies: their own pairs lists the fields.
      local ok, mt = pcall(getmetatable, t)
      if ok and mt == "read-only" then return pairs(t) end
      return next, t
    end
    local function class_of(v)
      if type(v) ~= "table" and type(v) ~= "userdata" then return nil end
      local mt = getmetatable(v)
      if type(mt) ~= "table" then return nil end
      local name, index = rawget(mt, "__name"), rawget(mt, "__index")
      if type(name) == "string" and name:sub(1, 8) == "unidesk." then return name:sub(9), type(index) == "table" and index or nil end
      return nil
    end
    function help(x)
      if x == nil then return lookup(nil) end
      if type(x) == "string" then return lookup(x) end
      if rawequal(x, core) then return lookup("unidesk") end
      for _, m in ipairs(modules) do
        local ok, t = pcall(require, "unidesk." .. m)
        if ok and rawequal(t, x) then return lookup(m) end
        if ok and type(t) == "table" then
          for k, v in entries(t) do if rawequal(v, x) then return lookup(m .. "." .. k) end end
        end
      end
      for k, v in entries(core) do
        if rawequal(v, x) then return lookup(k) end
      end
      local class = class_of(x)
      if class then return lookup(class, "object") end
      for _, v in next, globals do
        local name, methods = class_of(v)
        if methods then
          for k, f in next, methods do
            if rawequal(f, x) then return lookup(name .. ":" .. k) end
          end
        end
      end
      return lookup(false, type(x))
    end
    """#
}
