import Foundation
import LuaRuntime
import UnideskCompose
import UnideskCore
import UnideskData
import UnideskFiles
import UnideskHTTP
import UnideskRegistry

/// `require "unidesk.compose"`: the artifact consumer's path through Docker Compose v2.
public enum ComposeBinding {
    static func project(_ extra: [Param]) -> Param {
        Param("args", .record([
            Param("project", .string, "the compose project name (-p)"),
            Param("files", .array(.string), optional: true, "compose files in -f order (later ones override: a base, then a previous/ or environment overlay), relative to the recipe's directory"),
            Param("dir", .string, optional: true, "a project directory in the recipe's directory; its compose.yaml (and compose.override.yaml) are used when files is not given"),
            Param("env", .map(.stringOrSecret), optional: true, "variables for compose's interpolation (${TAG}); secrets are passed, never logged"),
        ] + extra), "")
    }
    static let timeout = Param("timeout", .number, optional: true, "seconds for the whole call (default 120, never past the run's deadline)")
    static let containerType = "{id: string, name: string, service: string, project: string, image: string, image_id: string, digest?: string, labels: table<string, string>, status: string, health?: string, health_output?: string, exit_code?: integer}"
    static let errors = [
        "raises kind = engine_unreachable (nothing at DOCKER_HOST), compose_error (with stderr: the tail of what compose said), timeout",
        "raises kind = denied for a compose file outside the recipe's directory",
    ]

    static let recreate = PrimitiveSpec(
        module: "compose", name: "recreate",
        summary: "Pulls one service's image, then recreates only that service (`up -d --no-deps --no-build --force-recreate`): never builds, never touches another service. Waits until the new container is healthy when the image has a health check (running otherwise). Returns the new container, with the registry digest it runs and its labels. A failed pull leaves the old container running and untouched. In plan mode: the image it would pull, and the container it would replace.",
        params: [project([
            Param("service", .string, "the one service to recreate"),
            Param("pull", .boolean, optional: true, "pull first (default true); false uses the image already on the engine"),
            Param("wait", .boolean, optional: true, "wait for healthy (default true)"),
            timeout,
        ])],
        returns: [(containerType, "container", "the new container")],
        effect: .write, scope: "<project>/<service>",
        errors: ["raises kind = pull_failed (the old container is untouched), unhealthy (with container = the state, health_output = the last check's output)"] + errors,
        example: """
        local commit = "3f2a9c1"
        local c = compose.recreate{ project = "shop", dir = "deploy", service = "web", env = { TAG = commit } }
        -- Under unidesk plan nothing was recreated: there is nothing to verify yet.
        if not c.unknown and c.labels["org.opencontainers.image.revision"] ~= commit then unidesk.fail("wrong build running") end
        """,
        plannedResult: "`{planned = true, unknown = true, project, service, image, labels = {}}`: the image it would pull (as the compose files resolve it; absent when they name none) is known, the new container (`id`, `digest`, its labels) is not, so `labels` is empty and test `c.unknown` before verifying what runs")
    static let ps = PrimitiveSpec(
        module: "compose", name: "ps",
        summary: "The project's containers (running or not), sorted by service.",
        params: [project([timeout])],
        returns: [("\(containerType)[]", "containers", "")],
        effect: .read, scope: "<project>/*", errors: errors)
    static let inspect = PrimitiveSpec(
        module: "compose", name: "inspect",
        summary: "One service's container, or nil when it has none.",
        params: [project([Param("service", .string, ""), timeout])],
        returns: [(containerType + "|nil", "container", "")],
        effect: .read, scope: "<project>/<service>", errors: errors)
    static let up = PrimitiveSpec(
        module: "compose", name: "up",
        summary: "Starts the project, or the services named (`up -d --no-build`; images pulled only when missing), and waits for them to be healthy unless wait = false.",
        params: [project([Param("services", .array(.string), optional: true, "default: every service"), Param("wait", .boolean, optional: true, "default true"),
                          Param("remove_orphans", .boolean, optional: true, "remove the containers of services the files no longer define (default false)"), timeout])],
        returns: [("\(containerType)[]", "containers", "")],
        effect: .write, scope: "<project>/<service> (one call per service named; <project>/* without services)",
        errors: ["raises kind = unhealthy"] + errors,
        plannedResult: "`{planned = true, unknown = true}` (the containers are not known; it iterates as an empty list)")
    static let stop = PrimitiveSpec(
        module: "compose", name: "stop",
        summary: "Stops the project's containers, or the services named; volumes and containers stay.",
        params: [project([Param("services", .array(.string), optional: true, ""), timeout])],
        effect: .write, scope: "<project>/<service> (one call per service named; <project>/* without services)", errors: errors)
    static let down = PrimitiveSpec(
        module: "compose", name: "down",
        summary: "Removes the project's containers and networks; its volumes too only with volumes = true.",
        params: [project([Param("volumes", .boolean, optional: true, "also remove named volumes (default false)"), timeout])],
        effect: .write, scope: "<project>/*", errors: errors)

    public static let library = HostLibrary(
        name: "compose", summary: "Docker Compose v2: pull-only recreate of one service, ps/inspect, up/stop/down.",
        specs: [recreate, ps, inspect, up, stop, down]
    ) { ctx in
        let compose = Lazy { Compose(docker: Docker(environment: ctx.environment)) }
        func timeout(_ t: LuaTable) -> Double { ctx.timeout(t.number("timeout"), Timeouts.compose) }

        /// The project from the arguments, its files resolved inside the recipe's directory.
        func project(_ t: LuaTable) throws -> ComposeProject {
            var env: [String: String] = [:]
            for (k, v) in t["env"].tableValue?.fields ?? [] {
                if case .secret(let s) = v { env[k] = s.reveal() } else { env[k] = v.stringValue ?? "" }
            }
            do {
                return try ComposeProject.resolve(
                    name: t["project"].stringValue ?? "", dir: t["dir"].stringValue,
                    files: t["files"].isNil ? nil : t["files"].tableValue?.array.compactMap(\.stringValue) ?? [], environment: env
                ) { path, field in
                    do throws(FileAccessError) { return try ctx.recipeDirectory.resolve(path) } catch {
                        throw HostError.structured(kind: "denied", message: "compose \(field) '\(path)': \(error.message)", fields: [("path", .string(path))])
                    }
                }
            } catch let e as ComposeProject.ArgumentError {
                throw HostError.argument(1, "field '\(e.field)': \(e.message)")
            }
        }

        /// A saved plan digests the compose files with the recipe's own: compose reads them,
        /// not the recipe, and they decide what a recreate runs.
        func noteFiles(_ p: ComposeProject) {
            let root = ctx.recipeDirectory.root + "/"
            for f in p.files where f.hasPrefix(root) { ctx.usesRecipeFile(String(f.dropFirst(root.count))) }
        }

        /// Basis of a write (saved plans): the containers it acts on, by id and image, so
        /// apply stops when one was recreated by hand since the plan.
        func containersBasis(_ p: ComposeProject, _ t: LuaTable, services: [String]) throws -> DataValue {
            let all = try ctx.run { () throws(ComposeError) in try compose.get.ps(p, timeout: timeout(t)) }
            let cs = all.filter { services.isEmpty || services.contains($0.service ?? "") }
                .sorted { ($0.service ?? "", $0.id) < ($1.service ?? "", $1.id) }
            return .array(cs.map { .object([("service", .string($0.service ?? "")), ("id", .string($0.id)), ("image_id", .string($0.imageID))]) })
        }

        /// Basis of a recreate: the container it replaces, and the digest under which the
        /// registry serves the image it would pull, so apply stops when a new image was pushed
        /// under the same tag since the plan. A registry that cannot be asked is recorded as
        /// such (both times alike), not as a failure of the recreate.
        let registry = Lazy { RegistryClient(transport: HTTPTransport(), config: DockerConfig.load(environment: ctx.environment),
                                             onSecret: { ctx.redactor.register($0) }) }
        func recreateBasis(_ p: ComposeProject, _ t: LuaTable, service: String) throws -> DataValue {
            let image = try ctx.run { () throws(ComposeError) in try compose.get.configuredImage(p, service: service, timeout: timeout(t)) }
            var f: [(String, DataValue)] = [("containers", try containersBasis(p, t, services: [service])), ("image", image.map(DataValue.string) ?? .null)]
            if let image, t.bool("pull", default: true), let ref = try? ImageReference(parsing: image) {
                var o = RegistryClient.Options()
                o.timeout = ctx.timeout(nil, Timeouts.registry)
                switch registry.get.head(ref, options: o) {
                case .success(let h): f.append(("registry_digest", h.exists ? (h.digest.map(DataValue.string) ?? .null) : .string("not found")))
                case .failure(let e): f.append(("registry_digest", .string("not asked: \(e.kind)")))
                }
            }
            return .object(f)
        }


        /// What a saved plan compares of ps/inspect: each container without its health
        /// check's output, which changes with every check.
        func stableContainers(_ results: [LuaValue]) -> DataValue? {
            guard let d = try? LuaData.toData(results.first ?? .nil) else { return nil }
            func strip(_ c: DataValue) -> DataValue {
                guard case .object(let f) = c else { return c }
                return .object(f.filter { $0.0 != "health_output" })
            }
            if case .array(let a) = d { return .array(a.map(strip)) }
            return strip(d)
        }

        /// What a drift message shows of ps/inspect: each container's service, id, image
        /// and status.
        func containerSummary(_ results: [LuaValue]) -> DataValue? {
            guard let d = try? LuaData.toData(results.first ?? .nil) else { return nil }
            func short(_ c: DataValue) -> DataValue {
                .object(["service", "id", "image", "digest", "status"].map { k in (k, c[k].map { v in
                    if k == "id", let s = v.stringValue { return .string(String(s.prefix(12))) }
                    return v
                } ?? .null) })
            }
            if case .array(let a) = d { return .array(a.map(short)) }
            if case .null = d { return .null }
            return short(d)
        }

        func write(_ gate: SpecGate, _ args: [LuaValue], scope: String, basis: ((ComposeProject, LuaTable) throws -> DataValue)? = nil,
                   plan: @escaping (ComposeProject, LuaTable) throws -> Gate.Planned<[LuaValue]>,
                   perform: @escaping (ComposeProject, LuaTable) throws -> [LuaValue]) throws -> [LuaValue] {
            let t = try args.table(0)
            let p = try project(t)
            if gate.observesBasis { noteFiles(p) }
            // Bounded: a health wait past a pipeline step's deadline raises the step's timeout.
            return try ctx.bounded {
                try gate.call(scope: scope, arguments: gate.audit(args), compare: gate.comparable(args),
                              basis: basis.map { b in { try b(p, t) } },
                              perform: { try perform(p, t) }, plan: { try plan(p, t) })
            }
        }

        return [
            ctx.gatedEach(recreate) { args, gate in
                let t = try args.table(0)
                let service = t["service"].stringValue ?? ""
                let scope = "\(t["project"].stringValue ?? "")/\(service)"
                return try write(gate, args, scope: scope, basis: { p, t in try recreateBasis(p, t, service: service) }, plan: { p, t in
                    let configured = try ctx.run { () throws(ComposeError) in try compose.get.configuredImage(p, service: service, timeout: timeout(t)) }
                    let image = configured ?? "(no image)"
                    // The running container is replaced; none running: one is created. An
                    // offline plan does not ask docker which.
                    var current = "not inspected: offline", verdict = Verdict.unverified
                    if !ctx.mode.isOfflinePlan {
                        if let c = try ctx.run({ () throws(ComposeError) in try compose.get.inspect(p, service: service, timeout: timeout(t)) }) {
                            (current, verdict) = ("replacing \(c.id.prefix(12)) running \(c.digest ?? c.image)", .replace)
                        } else {
                            (current, verdict) = ("no container yet", .create)
                        }
                    }
                    let pull = t.bool("pull", default: true)
                    let detail = "\(pull ? "pull \(image), then " : "")recreate \(service) (\(current))"
                    // Nothing was recreated: the container a run would make (its id, digest and
                    // labels) is unknown; labels is empty so that indexing it reads nil.
                    var known: [(String, LuaValue)] = [("project", .string(p.name)), ("service", .string(service))]
                    if let configured { known.append(("image", .string(configured))) }
                    known.append(("labels", .table(LuaTable())))
                    return Gate.Planned([.unknown(known)], detail: .string(detail), verdict: verdict)
                }, perform: { p, t in
                    let c = try ctx.run { () throws(ComposeError) in
                        try compose.get.recreate(p, service: service, pull: t.bool("pull", default: true), wait: t.bool("wait", default: true), timeout: timeout(t))
                    }
                    return [container(c)]
                })
            },
            ctx.gatedRead(ps, scope: { args in "\((try args.table(0))["project"].stringValue ?? "")/*" }, summary: containerSummary,
                          fingerprint: stableContainers) { args in
                let t = try args.table(0)
                let p = try project(t)
                let cs = try ctx.run { () throws(ComposeError) in try compose.get.ps(p, timeout: timeout(t)) }
                return [.table(LuaTable(array: cs.map(container)))]
            },
            ctx.gatedRead(inspect, scope: { args in "\((try args.table(0))["project"].stringValue ?? "")/\((try args.table(0))["service"].stringValue ?? "")" },
                          summary: containerSummary, fingerprint: stableContainers) { args in
                let t = try args.table(0)
                let p = try project(t)
                let c = try ctx.run { () throws(ComposeError) in try compose.get.inspect(p, service: t["service"].stringValue ?? "", timeout: timeout(t)) }
                return [c.map(container) ?? .nil]
            },
            // One gated call per service named, so a grant for one service does not
            // have to cover the others (and the audit shows each).
            ctx.gatedEach(up) { args, gate in
                let t = try args.table(0)
                let services = t["services"].tableValue?.array.compactMap(\.stringValue) ?? []
                let name = t["project"].stringValue ?? ""
                var out: [LuaValue] = []
                for group in services.isEmpty ? [[]] : services.map({ [$0] }) {
                    let scope = "\(name)/\(group.first ?? "*")"
                    let r = try write(gate, args, scope: scope, basis: { p, t in try containersBasis(p, t, services: group) }, plan: { _, _ in
                        Gate.Planned([.unknownRead], detail: .string("start \(group.first ?? "every service")"))
                    }, perform: { p, t in
                        let cs = try ctx.run { () throws(ComposeError) in
                            try compose.get.up(p, services: group, wait: t.bool("wait", default: true), removeOrphans: t.bool("remove_orphans", default: false), timeout: timeout(t))
                        }
                        return [.table(LuaTable(array: cs.map(container)))]
                    })
                    out += r.first?.tableValue?.array ?? []
                }
                // Planned: no container was started, so which ones a run would get is unknown.
                if ctx.mode.isPlan { return [.unknownRead] }
                return [.table(LuaTable(array: out))]
            },
            ctx.gatedEach(stop) { args, gate in
                let t = try args.table(0)
                let services = t["services"].tableValue?.array.compactMap(\.stringValue) ?? []
                let name = t["project"].stringValue ?? ""
                for group in services.isEmpty ? [[]] : services.map({ [$0] }) {
                    _ = try write(gate, args, scope: "\(name)/\(group.first ?? "*")", basis: { p, t in try containersBasis(p, t, services: group) }, plan: { _, _ in
                        Gate.Planned([], detail: .string("stop \(group.first ?? "every service")"))
                    }, perform: { p, t in
                        try ctx.run { () throws(ComposeError) in try compose.get.stop(p, services: group, timeout: timeout(t)) }
                        return []
                    })
                }
                return []
            },
            ctx.gatedEach(down) { args, gate in
                let t = try args.table(0)
                let volumes = t.bool("volumes", default: false)
                return try write(gate, args, scope: "\(t["project"].stringValue ?? "")/*", basis: { p, t in try containersBasis(p, t, services: []) }, plan: { _, _ in
                    Gate.Planned([], detail: .string("remove the containers\(volumes ? " and the volumes" : "")"), verdict: .delete)
                }, perform: { p, t in
                    try ctx.run { () throws(ComposeError) in try compose.get.down(p, volumes: volumes, timeout: timeout(t)) }
                    return []
                })
            },
        ]
    }

    static func container(_ c: ContainerState) -> LuaValue {
        var f: [(String, LuaValue)] = [
            ("id", .string(c.id)), ("name", .string(c.name)), ("service", .string(c.service ?? "")),
            ("project", .string(c.project ?? "")), ("image", .string(c.image)), ("image_id", .string(c.imageID)),
            ("labels", .table(LuaTable(fields: c.labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))),
            ("status", .string(c.status)),
        ]
        if let d = c.digest { f.append(("digest", .string(d))) }
        if let h = c.health { f.append(("health", .string(h))) }
        if let o = c.healthOutput { f.append(("health_output", .string(o))) }
        if let e = c.exitCode { f.append(("exit_code", .int(Int64(e)))) }
        return .table(LuaTable(fields: f))
    }
}
