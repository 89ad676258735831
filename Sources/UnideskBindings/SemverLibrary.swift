import UnideskCore

/// `require "unidesk.semver"`: stdlib Lua (stdlib/unidesk/semver.lua), described here so
/// its reference and stubs come from the same generator.
public enum SemverLibrary {
    static let version = Param("version", .string, "\"1.4.2\", \"v1.4.2-rc.1\", \"1.4.2+15.4\" (recipe version + upstream version)")
    public static let library = HostLibrary(
        name: "semver", summary: "Recipe versions x.y.z+upstream and plain semver: parse, compare, sort, what kind of change.",
        specs: [
            PrimitiveSpec(module: "semver", name: "parse", summary: "Parses a version; nil, err when it is not one. The +build part is kept as `build` and, when it starts with numbers, as `upstream` = {parts = {15, 4}, suffix = \"alpine\"}.",
                          params: [version], returns: [("{major: integer, minor: integer, patch: integer, pre?: table, build?: string, upstream?: table}|nil", "v", ""), ("string?", "err", "")]),
            PrimitiveSpec(module: "semver", name: "compare", summary: "-1, 0 or 1: the recipe part by semver precedence (pre-releases before releases), then the upstream part numerically.",
                          params: [Param("a", .string, ""), Param("b", .string, "")], returns: [("integer", "order", "")]),
            PrimitiveSpec(module: "semver", name: "lt", summary: "a < b", params: [Param("a", .string, ""), Param("b", .string, "")], returns: [("boolean", "", "")]),
            PrimitiveSpec(module: "semver", name: "eq", summary: "a == b (build metadata other than the upstream version ignored)", params: [Param("a", .string, ""), Param("b", .string, "")], returns: [("boolean", "", "")]),
            PrimitiveSpec(module: "semver", name: "gt", summary: "a > b", params: [Param("a", .string, ""), Param("b", .string, "")], returns: [("boolean", "", "")]),
            PrimitiveSpec(module: "semver", name: "sort", summary: "A sorted copy, oldest first.", params: [Param("versions", .array(.string), "")], returns: [("string[]", "sorted", "")]),
            PrimitiveSpec(module: "semver", name: "change", summary: "What kind of change from → to is, for each part: major, minor, patch, none or downgrade; `major` is true when either part's major version goes up (what a safety gate holds on).",
                          params: [Param("from", .string, ""), Param("to", .string, "")],
                          returns: [("{recipe: string, upstream?: string, major: boolean}", "change", "")],
                          example: """
                          local last_good, target = "1.4.2+15.4", "2.0.0+16.1"
                          local c = semver.change(last_good, target)
                          if c.major then alert.raise{ kind = "held", app = "shop", attempted = target, last_good = last_good, notes = "major upgrade: " .. target } end
                          """),
        ]
    ) { _ in [] }
}
