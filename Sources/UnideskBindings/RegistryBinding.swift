import LuaRuntime
import UnideskCore
import UnideskData
import UnideskHTTP
import UnideskRegistry

/// `require "unidesk.registry"`: does the artifact exist, and which digest is it.
public enum RegistryBinding {
    static let options = Param("options", .record([
        Param("timeout", .number, optional: true, "seconds (default: 30, never past the run's deadline)"),
        Param("insecure", .boolean, optional: true, "plain HTTP for a non-loopback registry (loopback is always plain HTTP)"),
        Param("proxy", .boolean, optional: true, "honour HTTPS_PROXY/NO_PROXY (default true)"),
        Param("concurrency", .integer, optional: true, "head_many: requests in flight (default 16)"),
    ]), optional: true, "")

    static let head = PrimitiveSpec(
        module: "registry", name: "head",
        summary: "Looks up a manifest by HEAD (GET when the registry refuses HEAD or omits Docker-Content-Digest; the digest is then the sha256 of the body). A missing tag or repository is an answer, {exists=false, status=404}, not an error. Accepts OCI index/manifest and Docker list/v2 manifests. Authenticates as docker does: anonymous, basic from $DOCKER_CONFIG/config.json, credHelpers/credsStore, bearer tokens (cached per scope for the run). HTTPS is verified; a registry's private CA is trusted from `<certs.d>/<host:port>/ca.crt` (/etc/docker/certs.d, or $UNIDESK_REGISTRY_CERTS_D).",
        params: [Param("ref", .string, "image reference: host[:port]/path[:tag][@digest]; docker.io defaults apply"), options],
        returns: [("{exists: boolean, status: integer, ref: string, digest?: string, media_type?: string, size?: integer}", "result", "")],
        effect: .read, scope: "<registry host>/<repository>",
        errors: ["raises kind = unauthorized | denied | rate_limited (with rate_limit headers) | network | timeout | tls | protocol; messages name the registry and reference, never a credential",
                 "raises bad argument for a malformed reference"],
        example: """
        local commit = "3f2a9c1"
        local a = registry.head("127.0.0.1:5000/unidesk/app:" .. commit)
        if not a.exists then unidesk.fail("artifact not published") end
        """)
    static let headMany = PrimitiveSpec(
        module: "registry", name: "head_many",
        summary: "HEADs many references concurrently (libcurl multi, connection reuse, HTTP/2 where offered). Results are in input order; an item that failed has `error = {kind=, message=}` instead of sinking the others.",
        params: [Param("refs", .array(.string), "image references"), options],
        returns: [("table[]", "results", "one result per reference, as head returns, or {ref=, error={kind=, message=}}")],
        effect: .read, scope: "<registry host>/<repository> (one capability per reference)",
        example: """
        local refs = { "127.0.0.1:5000/unidesk/app:1.4.2", "127.0.0.1:5000/unidesk/app:1.4.3" }
        for i, r in ipairs(registry.head_many(refs)) do print(refs[i], r.exists, r.digest) end
        """,
        offlineResult: "one `{planned = true, unknown = true, ref = …}` per reference")

    public static let library = HostLibrary(
        name: "registry", summary: "Registry manifest lookups: does the artifact exist, and which digest.",
        specs: [head, headMany]
    ) { ctx in
        let lazyClient = Lazy { RegistryClient(transport: HTTPTransport(), config: DockerConfig.load(environment: ctx.environment),
                                               onSecret: { ctx.redactor.register($0) }) }
        func parse(_ text: String, _ n: Int) throws -> ImageReference {
            do { return try ImageReference(parsing: text) } catch { throw HostError.argument(n, error.message) }
        }
        /// The call's options; `insecure` allows plain HTTP to the registries of these refs.
        func clientOptions(_ t: LuaTable?, for refs: [ImageReference]) -> RegistryClient.Options {
            var o = RegistryClient.Options()
            o.timeout = ctx.timeout(t?.number("timeout"), Timeouts.registry)
            o.useEnvironmentProxy = t?.bool("proxy", default: true) ?? true
            if let c = t?.number("concurrency") { o.maxConcurrent = max(1, Int(c)) }
            if t?.bool("insecure", default: false) == true { o.insecureRegistries = Array(Set(refs.map(\.registry))) }
            return o
        }
        func value(_ r: Result<ManifestHead, RegistryError>) -> LuaValue {
            switch r {
            case .success(let h):
                var f: [(String, LuaValue)] = [("exists", .bool(h.exists)), ("status", .int(Int64(h.status))), ("ref", .string(h.reference.description))]
                if let d = h.digest { f.append(("digest", .string(d))) }
                if let m = h.mediaType { f.append(("media_type", .string(m))) }
                if let s = h.size { f.append(("size", .int(Int64(s)))) }
                return .table(LuaTable(fields: f))
            case .failure(let e):
                return .table(LuaTable(fields: [("kind", .string(e.kind.rawValue)), ("message", .string(e.message))]))
            }
        }
        /// What a lookup touches: the registry, the repository and the manifest asked for.
        func target(_ ref: ImageReference) -> DataValue {
            .object([("registry", .string(ref.registry)), ("repository", .string(ref.repository)),
                     ("reference", .string(ref.manifestReference))])
        }
        return [
            ctx.gatedRead(head, scope: { args in
                let ref = try parse(try args.string(0), 1)
                return "\(ref.registry)/\(ref.repository)"
            }, target: { args in target(try parse(try args.string(0), 1)) },
               summary: { v in v.first?.tableValue.map { t in .object([("exists", .bool(t.bool("exists", default: false))), ("digest", t["digest"].stringValue.map(DataValue.string) ?? .null)]) } }) { args in
                let ref = try parse(try args.string(0), 1)
                switch lazyClient.get.head(ref, options: clientOptions(try args.optionalTable(1), for: [ref])) {
                case .success(let h): return [value(.success(h))]
                case .failure(let e): throw ctx.error(e)
                }
            },
            ctx.gatedEach(headMany, items: head) { args, gate in
                let texts = try args.table(0).array.map { $0.stringValue ?? "" }
                var refs: [ImageReference] = []
                for (i, t) in texts.enumerated() {
                    do { refs.append(try ImageReference(parsing: t)) } catch let e as RegistryError {
                        throw HostError.argument(1, "refs[\(i + 1)]: \(e.message)")
                    }
                }
                // Policy first, for every reference; then one concurrent batch for the allowed.
                let o = clientOptions(try args.optionalTable(1), for: refs)
                let allowed = refs.indices.filter { gate.permits(scope: "\(refs[$0].registry)/\(refs[$0].repository)") }
                var fetched: [Int: Result<ManifestHead, RegistryError>] = [:]
                if !ctx.mode.isOfflinePlan {
                    for (i, r) in zip(allowed, lazyClient.get.headMany(allowed.map { refs[$0] }, options: o)) { fetched[i] = r }
                }
                var out: [LuaValue] = []
                for (i, ref) in refs.enumerated() {
                    do {
                        let r: LuaValue = try gate.call(scope: "\(ref.registry)/\(ref.repository)",
                                                            arguments: .array([.string(ref.description)]), target: target(ref),
                                                            perform: {
                                                                guard let f = fetched[i] else { return .nil }
                                                                if case .failure(let e) = f { throw ctx.error(e) }
                                                                return value(f)
                                                            },
                                                            plan: {
                                                                // The offline read's value, with the reference it stands for.
                                                                var t = LuaValue.unknownRead.tableValue ?? LuaTable()
                                                                t.fields.append(("ref", .string(ref.description)))
                                                                return Gate.Planned(.table(t), detail: .string("offline: not read"))
                                                            })
                        out.append(r)
                    } catch let HostError.structured(kind, message, _) {
                        out.append(.table(LuaTable(fields: [("ref", .string(ref.description)),
                                                            ("error", .table(LuaTable(fields: [("kind", .string(kind)), ("message", .string(message))])))])))
                    }
                }
                return [.table(LuaTable(array: out))]
            },
        ]
    }
}
