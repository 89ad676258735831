import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings
import UnideskData
import UnideskProcess

/// A copy of a recipe with a state directory of its own (state and snapshots: the engine's
/// UNIDESK_SNAPSHOT_DIR is not passed on, so snapshots land there too); `remove()` deletes both.
struct RecipeSandbox {
    let dir: String
    let state: String

    init(_ recipe: String, files: [String]) throws {
        dir = try DemoProject.recipeCopy(recipe, files: files)
        state = dir + "-state"
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.removeItem(atPath: state)
    }

    /// Runs `script` (a file of the copy) through the engine, as `unidesk run` would.
    func run(_ script: String = "recipe.lua", vars: [(String, String)], allow: [String], timeout: Double = 240) -> RunReport {
        var o = EngineOptions()
        o.color = false
        o.timeout = timeout
        o.stateDirectory = state
        o.vars = vars
        o.environment["UNIDESK_SNAPSHOT_DIR"] = nil
        do { try o.policy.add(allow: allow, deny: []) } catch { Issue.record("policy: \(error)") }
        return Engine(options: o, libraries: Libraries.all).run(recipePath: "\(dir)/\(script)")
    }

    /// Runs Lua `source` beside the recipe (same directory, same state): how a test sets up
    /// or reads state and snapshots with the real primitives. Fails the test if the run fails.
    func lua(_ source: String, vars: [(String, String)] = [], allow: [String] = []) throws -> RunReport {
        let name = "setup-\(UUID().uuidString.prefix(8)).lua"
        try source.write(toFile: "\(dir)/\(name)", atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: "\(dir)/\(name)") }
        let r = run(name, vars: vars, allow: allow, timeout: 120)
        try #require(r.exitCode == .ok, "setup script failed: \(r.error?.message ?? "")")
        return r
    }

    /// A state value as the recipe stored it, or nil.
    func stateValue(_ key: String) throws -> DataValue? {
        guard let text = try? String(contentsOfFile: "\(state)/state/\(key).json", encoding: .utf8) else { return nil }
        return try JSON.decode(text)
    }
}

extension RunReport {
    func output(_ name: String) -> DataValue? { outputs.first(where: { $0.0 == name })?.1 }
}

/// What the engine did to one compose project's containers during a test, read from its own
/// event log ($UNIDESK_ENGINE_EVENTS, podman's file events logger): containers that came and
/// went inside a run (a base's extra service) are seen, with their image. (Health events are
/// not used: podman 4.3 logs a check's event with the status before it, so a container
/// removed soon after turning healthy may never have a "healthy" event.)
struct ContainerEvents {
    struct Event {
        let time: String   // sortable: RFC 3339 with the fraction padded to nanoseconds
        let action: String // create, start, died, remove…
        let container: String
        let service: String
        let image: String
    }

    private let path: String
    private let start: UInt64

    /// Marks now: `events(project:)` returns what happened after this.
    init() throws {
        path = try stackValue("UNIDESK_ENGINE_EVENTS")
        start = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? UInt64) ?? 0
    }

    func events(project: String) throws -> [Event] {
        guard let h = FileHandle(forReadingAtPath: path) else { throw DemoProject.DemoError(message: "cannot read \(path)") }
        defer { try? h.close() }
        let size = try h.seekToEnd()
        try h.seek(toOffset: size >= start ? start : 0)   // the log was cut: read it all
        let text = String(decoding: try h.readToEnd() ?? Data(), as: UTF8.self)
        var out: [Event] = []
        for line in text.split(separator: "\n") {
            guard let e = try? JSON.decode(String(line)), e["Type"]?.stringValue == "container",
                  e["Attributes"]?["com.docker.compose.project"]?.stringValue == project else { continue }
            out.append(Event(time: Self.sortable(e["Time"]?.stringValue ?? ""), action: e["Status"]?.stringValue ?? "",
                             container: e["ID"]?.stringValue ?? "",
                             service: e["Attributes"]?["com.docker.compose.service"]?.stringValue ?? "",
                             image: e["Image"]?.stringValue ?? ""))
        }
        return out.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }

    /// "…:06.45091586Z" → "…:06.450915860": podman drops trailing zeros of the fraction.
    static func sortable(_ t: String) -> String {
        let body = t.hasSuffix("Z") ? String(t.dropLast()) : t
        let parts = body.split(separator: ".", maxSplits: 1)
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        return String(parts.first ?? "") + "." + fraction.padding(toLength: 9, withPad: "0", startingAt: 0)
    }
}

/// The files of an engine volume, name → bytes, read from its directory on the host.
func volumeFiles(_ volume: String) throws -> [String: [UInt8]] {
    let r = try Command.run(["docker", "volume", "inspect", "--format", "{{.Mountpoint}}", volume],
                            environment: ProcessInfo.processInfo.environment, timeout: 30)
    try #require(r.status == 0, "volume \(volume): \(r.stderrTail())")
    let root = r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    var files: [String: [UInt8]] = [:]
    for name in try FileManager.default.subpathsOfDirectory(atPath: root) {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: "\(root)/\(name)", isDirectory: &isDir), !isDir.boolValue {
            files[name] = Array(FileManager.default.contents(atPath: "\(root)/\(name)") ?? Data())
        }
    }
    return files
}

/// The engine's containers and volumes of a compose project (running or not), by label.
func engineLeftovers(project: String) throws -> (containers: [String], volumes: [String]) {
    let env = ProcessInfo.processInfo.environment
    let c = try Command.run(["docker", "ps", "-a", "--filter", "label=com.docker.compose.project=\(project)", "--format", "{{.Names}}"], environment: env, timeout: 30)
    let v = try Command.run(["docker", "volume", "ls", "-q", "--filter", "label=com.docker.compose.project=\(project)"], environment: env, timeout: 30)
    func lines(_ r: CommandResult) -> [String] { r.stdoutText.split(separator: "\n").map(String.init).filter { !$0.isEmpty } }
    return (lines(c), lines(v))
}
