import Foundation
import LuaRuntime
import UnideskCore
import UnideskData
import UnideskHTTP

/// `require "unidesk.http"`: GET/HEAD for health endpoints (wait() is stdlib Lua on top), and
/// writes (POST, PUT, PATCH, DELETE) through the gate.
public enum HTTPBinding {
    static let options = Param("options", .record([
        Param("timeout", .number, optional: true, "seconds (default 30, never past the run's deadline)"),
        Param("headers", .map(.stringOrSecret), optional: true, "request headers; secret values are sent but never logged"),
        Param("max_body", .integer, optional: true, "bytes kept of the body (default 1 MiB); more is cut and `truncated` set"),
        Param("redirects", .integer, optional: true, "redirects followed (default 5, 0 = none)"),
        Param("proxy", .boolean, optional: true, "honour HTTPS_PROXY/NO_PROXY (default true)"),
        Param("insecure", .boolean, optional: true, "skip TLS verification (default false)"),
    ]), optional: true, "")

    /// What get, head and wait return: the table with a `json` method (stdlib/unidesk/http.lua).
    static let response = StubClass(
        name: "unidesk.http.response", summary: "An HTTP response (get, head, wait). An error status (404, 503) is a response, not an error.",
        fields: [
            Param("status", .integer, "the HTTP status code"),
            Param("headers", .map(.string), "header names lower-cased"),
            Param("body", .string, "the body, cut at max_body bytes (empty for head)"),
            Param("truncated", .boolean, "whether the body was cut"),
            Param("url", .string, "the URL asked for"),
        ],
        methods: [("json", "any", "Decodes the body as JSON (raises kind=invalid when it is not).")])

    static func spec(_ name: String, _ summary: String, example: String) -> PrimitiveSpec {
        PrimitiveSpec(
            module: "http", name: name, summary: summary,
            params: [Param("url", .string, "http:// or https:// only"), options],
            returns: [(response.name, "response", "")],
            effect: .read, scope: "<host[:port]>",
            errors: ["raises kind = network | timeout | tls | protocol; an HTTP error status (404, 503) is a response, not an error",
                     "raises bad argument for a URL that is not http(s)"],
            example: example)
    }
    static let get = spec("get", "GET a URL. Timeouts follow the run's deadline; redirects bounded; the body is size-capped.", example: """
        local want = "3f2a9c1"
        local r = http.get("http://127.0.0.1:8081/health")
        if r.status == 200 and r:json().deploy.commit == want then unidesk.log.info("the new build is live") end
        """)
    static let head = spec("head", "HEAD a URL: status and headers, no body.", example: """
        local r = http.head("http://127.0.0.1:8081/releases/1.4.2.tar.gz")
        if r.status ~= 200 then unidesk.fail("release 1.4.2 is not published (status " .. r.status .. ")") end
        """)
    static let wait = PrimitiveSpec(
        module: "http", name: "wait",
        summary: "Polls a URL until `until(resp)` returns true (default: a status below 400), or raises kind=timeout with the last status or error. Connection errors while waiting are retried, one attempt per interval; failed attempts are not printed, and one summary line is logged when the wait took more than one attempt. A denial, or the pipeline step's own timeout (kind=timeout, deadline=\"step\"), ends the wait at once.",
        params: [Param("url", .string, ""), Param("options", .record([
            Param("timeout", .number, optional: true, "seconds to wait in all (default 60)"),
            Param("interval", .number, optional: true, "seconds between attempts (default 1, at least 0.1)"),
            Param("until", .function, optional: true, "function(resp) → boolean; `until` is a Lua keyword, so write the key as `[\"until\"] = …`"),
            Param("headers", .map(.stringOrSecret), optional: true, ""),
        ]), optional: true, "")],
        returns: [(response.name, "response", "the response that satisfied the condition")],
        errors: ["raises kind=timeout naming the last status or error"],
        example: """
        local url, want = "http://127.0.0.1:8081", "3f2a9c1"
        http.wait(url .. "/health", { timeout = 120, ["until"] = function(r) return r.status == 200 and r:json().deploy.commit == want end })
        """)

    // MARK: writes

    static let writeOptionFields: [Param] = [
        Param("headers", .map(.stringOrSecret), optional: true, "request headers; secret values are sent but never logged, and Authorization, Proxy-Authorization, Cookie and *-Key/*-Token headers are masked in the audit, the plan and errors"),
        Param("timeout", .number, optional: true, "seconds per attempt (default 30, never past the step's or run's deadline)"),
        Param("retries", .integer, optional: true, "attempts after the first on a connection error or a 408/429/5xx answer (default 2); only PUT and DELETE, or any method with `idempotency_key`, are retried: a POST or PATCH without a key is sent once"),
        Param("idempotency_key", .stringOrSecret, optional: true, "sent as the Idempotency-Key header, the same on every attempt; makes the request retriable"),
        Param("max_body", .integer, optional: true, "bytes kept of the answer's body (default 1 MiB)"),
        Param("proxy", .boolean, optional: true, "honour HTTPS_PROXY/NO_PROXY (default true)"),
        Param("insecure", .boolean, optional: true, "skip TLS verification (default false)"),
    ]
    static let writeErrors = [
        "raises kind = network | timeout | tls | protocol (after the retries allowed); an HTTP error status (404, 503) is a response, not an error",
        "raises kind = denied without a grant `http.<method>:<host[:port]>/<path>`",
        "raises bad argument for a URL that is not http(s), or a body that is neither a string nor a table",
    ]
    static let plannedWrite = "{planned = true, unknown = true, url = …}: nothing is sent in plan mode"

    static func writeSpec(_ method: String, _ summary: String, example: String) -> PrimitiveSpec {
        PrimitiveSpec(
            module: "http", name: method.lowercased(), summary: summary,
            params: [Param("url", .string, "http:// or https:// only; userinfo and token=, access_token=, key= query values are masked wherever the URL is shown"),
                     Param("body", .any, optional: true, "a string is sent as it is; a table is encoded as JSON (Content-Type: application/json unless headers say otherwise)"),
                     Param("options", .record(writeOptionFields), optional: true, "")],
            returns: [(response.name, "response", "the last attempt's answer")],
            effect: .write, scope: "<host[:port]>/<path>",
            errors: writeErrors, example: example, plannedResult: plannedWrite)
    }
    static let post = writeSpec("POST", "POST a body (a string, or a table sent as JSON). A write: it needs a grant `http.post:<host>/<path>`, is only planned in plan mode (the plan shows the URL and the body's digest and size; verdict unverified), and is sent once unless an `idempotency_key` is given.", example: """
        local r = http.post("http://127.0.0.1:8081/hooks/deploy", { app = "keycloak", event = "rolled back" },
          { headers = { Authorization = unidesk.secret("Bearer s3cr3t-token") } })
        if r.status >= 300 then unidesk.log.warn("the hook answered " .. r.status) end
        """)
    static let put = writeSpec("PUT", "PUT a body (a string, or a table sent as JSON). A write (grant `http.put:<host>/<path>`); idempotent, so retried on a connection error or a 408/429/5xx answer, honouring Retry-After.", example: """
        http.put("http://127.0.0.1:8081/releases/keycloak", { version = "24.0.5" }, { retries = 3 })
        """)
    static let patch = writeSpec("PATCH", "PATCH a body (a string, or a table sent as JSON). A write (grant `http.patch:<host>/<path>`); sent once unless an `idempotency_key` is given.", example: """
        http.patch("http://127.0.0.1:8081/releases/keycloak", { channel = "stable" }, { idempotency_key = "keycloak-24.0.5" })
        """)
    static let delete = writeSpec("DELETE", "DELETE a URL (a body is allowed but rarely used). A write (grant `http.delete:<host>/<path>`); idempotent, so retried like PUT.", example: """
        http.delete("http://127.0.0.1:8081/locks/keycloak")
        """)
    static let request = PrimitiveSpec(
        module: "http", name: "request",
        summary: "Any write method in one table: `method` (POST, PUT, PATCH or DELETE), `url`, and `body` or `json`, plus the options post() takes. The capability is that of the method (`http.post:<host>/<path>`, …).",
        params: [Param("request", .record([
            Param("method", .string, "POST, PUT, PATCH or DELETE (any case)"),
            Param("url", .string, "http:// or https:// only"),
            Param("body", .string, optional: true, "sent as it is"),
            Param("json", .any, optional: true, "encoded as JSON and sent with Content-Type: application/json (not with body)"),
        ] + writeOptionFields), "")],
        returns: [(response.name, "response", "the last attempt's answer")],
        effect: .write, scope: "<host[:port]>/<path>",
        errors: writeErrors + ["raises bad argument for another method, or both body and json"],
        example: """
        local r = http.request{ method = "PUT", url = "http://127.0.0.1:8081/releases/keycloak",
          json = { version = "24.0.5" }, idempotency_key = "keycloak-24.0.5", retries = 3 }
        unidesk.log.info("release recorded: " .. r.status)
        """, capability: "http.<method>", plannedResult: plannedWrite)

    /// Header names whose values are credentials: masked wherever a request is shown.
    static func sensitiveHeader(_ name: String) -> Bool {
        let n = name.lowercased()
        if ["authorization", "proxy-authorization", "cookie", "set-cookie"].contains(n) { return true }
        return ["token", "secret", "password", "passwd", "api-key", "apikey", "-key", "auth", "signature"].contains { n.contains($0) }
    }
    static let sensitiveQuery: Set<String> = ["token", "access_token", "id_token", "refresh_token", "key", "api_key", "apikey",
                                              "secret", "client_secret", "password", "sig", "signature", "auth"]

    /// The URL as it may be shown: userinfo and credential-like query values masked. The
    /// values masked are returned too, for the redactor.
    static func masked(_ url: String) -> (String, [String]) {
        guard var u = URLComponents(string: url) else { return (url, []) }
        var hidden: [String] = []
        if let p = u.password { hidden.append(p); u.password = Redactor.mask }
        if let user = u.user { hidden.append(user); u.user = Redactor.mask }
        if let items = u.queryItems {
            u.queryItems = items.map { i in
                guard sensitiveQuery.contains(i.name.lowercased()), let v = i.value, !v.isEmpty else { return i }
                hidden.append(v)
                return URLQueryItem(name: i.name, value: Redactor.mask)
            }
        }
        return ((u.string ?? url).replacingOccurrences(of: "%3Csecret%3E", with: Redactor.mask), hidden)
    }

    public static let library = HostLibrary(
        name: "http", summary: "HTTP GET/HEAD, health polling, and writes (POST, PUT, PATCH, DELETE) through the gate (http and https only).",
        specs: [get, head, wait, post, put, patch, delete, request], classes: [response]
    ) { ctx in
        let transport = Lazy { HTTPTransport() }
        func host(_ url: String) throws -> String {
            guard let u = URLComponents(string: url), let scheme = u.scheme, scheme == "http" || scheme == "https", let h = u.host, !h.isEmpty else {
                throw HostError.argument(1, "an http:// or https:// URL expected, got '\(url)'")
            }
            return u.port.map { "\(h):\($0)" } ?? h
        }
        /// A response as every HTTP function returns it (GET, HEAD, the writes).
        func responseValue(_ r: HTTPResponse, _ url: String) -> LuaValue {
            var hs: [(String, LuaValue)] = []
            for (k, v) in r.headers where !hs.contains(where: { $0.0 == k }) { hs.append((k, .string(v))) }
            return .table(LuaTable(fields: [
                ("status", .int(Int64(r.status))), ("headers", .table(LuaTable(fields: hs.sorted { $0.0 < $1.0 }))),
                ("body", .bytesOrString(r.body)), ("truncated", .bool(r.truncated)), ("url", .string(url)),
            ]))
        }
        func call(_ method: String, _ args: [LuaValue]) throws -> [LuaValue] {
            let url = try args.string(0)
            _ = try host(url)
            let o = try args.optionalTable(1)
            var headers: [(String, String)] = []
            for (k, v) in o?["headers"].tableValue?.fields ?? [] {
                if case .secret(let s) = v { headers.append((k, s.reveal())) } else { headers.append((k, v.stringValue ?? "")) }
            }
            var tls = TLSOptions()
            tls.verify = !(o?.bool("insecure", default: false) ?? false)
            let req = HTTPRequest(method: method, url: url, headers: headers,
                                  timeout: ctx.timeout(o?.number("timeout"), Timeouts.http),
                                  maxBodyBytes: Int(o?.number("max_body") ?? Double(1 << 20)),
                                  maxRedirects: Int(o?.number("redirects") ?? 5),
                                  useEnvironmentProxy: o?.bool("proxy", default: true) ?? true, tls: tls)
            switch transport.get.perform(req) {
            case .success(let r):
                return [responseValue(r, url)]
            case .failure(let e):
                throw ctx.error(e, extra: [("url", .string(url))])
            }
        }
        func isSecret(_ v: LuaValue) -> Bool { if case .secret = v { return true }; return false }
        func bytes(_ v: LuaValue) -> [UInt8] {
            switch v {
            case .bytes(let b): return b
            case .secret(let s): return Array(s.reveal().utf8)
            default: return Array((v.stringValue ?? "").utf8)
            }
        }
        /// One write: `o` holds the options (headers, timeout, retries, …); `argument` is
        /// the number of the argument a bad value is reported against.
        func write(_ method: String, url: String, body: LuaValue, asJSON: Bool, o: LuaTable?, gate: SpecGate, bodyArgument: Int) throws -> [LuaValue] {
            guard let u = URLComponents(string: url), let scheme = u.scheme, scheme == "http" || scheme == "https",
                  let scope = Capability.httpWriteScope(u) else {
                throw HostError.argument(1, "an http:// or https:// URL expected, got '\(masked(url).0)'")
            }
            let (shownURL, urlSecrets) = masked(url)
            urlSecrets.forEach { ctx.redactor.register($0) }
            var headers: [(String, String)] = []
            var shownHeaders: [(String, DataValue)] = []
            for (k, v) in o?["headers"].tableValue?.fields ?? [] {
                let value: String
                if case .secret(let s) = v { value = s.reveal() } else { value = v.stringValue ?? "" }
                let hide = isSecret(v) || sensitiveHeader(k)
                if hide { ctx.redactor.register(value); if let sp = value.split(separator: " ", maxSplits: 1).last { ctx.redactor.register(String(sp)) } }
                headers.append((k, value))
                shownHeaders.append((k, .string(hide ? Redactor.mask : value)))
            }
            var key: String?
            switch o?["idempotency_key"] ?? .nil {
            case .nil: key = nil
            case .secret(let s): key = s.reveal()
            case let v: key = v.stringValue
            }
            if let key {
                headers.removeAll { $0.0.lowercased() == "idempotency-key" }
                headers.append(("Idempotency-Key", key))
            }
            var payload: [UInt8]? = nil
            let plain: Bool
            switch body { case .string, .bytes, .secret: plain = !asJSON; default: plain = false }
            if body.isNil {
                payload = nil
            } else if plain {
                payload = bytes(body)
            } else {
                guard asJSON || body.tableValue != nil else {
                    throw HostError.argument(bodyArgument, "a string or a table (sent as JSON) expected, got \(body.typeName)")
                }
                let data: DataValue
                do { data = try LuaData.toData(body) } catch {
                    throw HostError.argument(bodyArgument, "the body cannot be sent as JSON: \(error)")
                }
                payload = Array(try JSON.encode(data, options: .init(pretty: false, sortKeys: true)).utf8)
                if !headers.contains(where: { $0.0.lowercased() == "content-type" }) { headers.append(("Content-Type", "application/json")) }
            }
            let digest = payload.map { SHA256.digest($0) }
            var shown: [(String, DataValue)] = [("method", .string(method)), ("url", .string(shownURL))]
            if !shownHeaders.isEmpty { shown.append(("headers", .object(shownHeaders))) }
            if let payload, let digest { shown.append(("body", .object([("digest", .string(digest)), ("bytes", .int(Int64(payload.count)))]))) }
            if let key { shown.append(("idempotency_key", .string(isSecret(o?["idempotency_key"] ?? .nil) ? Redactor.mask : key))) }
            // The comparison with a saved plan: the call in full (the gate digests a long body).
            let compare: DataValue? = gate.observesBasis
                ? .object(shown.filter { $0.0 != "body" } + [("body", .string(payload.map { String(decoding: $0, as: UTF8.self) } ?? ""))])
                : nil
            var tls = TLSOptions()
            tls.verify = !(o?.bool("insecure", default: false) ?? false)
            let req = HTTPRequest(method: method, url: url, headers: headers, body: payload ?? (method == "DELETE" ? nil : []),
                                  timeout: ctx.timeout(o?.number("timeout"), Timeouts.http),
                                  maxBodyBytes: Int(o?.number("max_body") ?? Double(1 << 20)), maxRedirects: 0,
                                  useEnvironmentProxy: o?.bool("proxy", default: true) ?? true, tls: tls)
            let retries = RetryPolicy.mayRetry(method: method, idempotencyKey: key != nil) ? Int(o?.number("retries") ?? 2) : 0
            let planned = "not sent (plan mode): a remote write cannot be checked; \(method) \(shownURL)"
                + (payload.map { ", body \(digest ?? "") (\($0.count) bytes)" } ?? ", no body")
            return try gate.call(scope: scope, arguments: .object(shown), target: .string("\(method) \(shownURL)"),
                                 compare: compare, perform: { () throws -> [LuaValue] in
                let outcome = transport.get.perform(req, policy: RetryPolicy(retries: retries), remaining: { ctx.deadlineRemaining })
                switch outcome.result {
                case .success(let r): return [responseValue(r, shownURL)]
                case .failure(let e):
                    var extra: [(String, LuaValue)] = [("url", .string(shownURL)), ("method", .string(method))]
                    if outcome.attempts > 1 { extra.append(("attempts", .int(Int64(outcome.attempts)))) }
                    throw ctx.error(e, extra: extra)
                }
            }, plan: {
                Gate.Planned([.table(LuaTable(fields: [("planned", .bool(true)), ("unknown", .bool(true)), ("url", .string(shownURL))]))],
                             detail: .string(planned), verdict: .unverified)
            })
        }
        func methodWrite(_ spec: PrimitiveSpec) -> HostFunction {
            ctx.gatedEach(spec) { args, gate in
                try write(spec.name.uppercased(), url: try args.string(0), body: args.value(1), asJSON: false,
                          o: try args.optionalTable(2), gate: gate, bodyArgument: 2)
            }
        }
        let byMethod = ["POST": post, "PUT": put, "PATCH": patch, "DELETE": delete]
        let requestFunction = ctx.gatedEach(request) { args, _ in
            let t = try args.table(0)
            let method = (t["method"].stringValue ?? "").uppercased()
            guard let spec = byMethod[method] else {
                throw HostError.argument(1, "method: POST, PUT, PATCH or DELETE expected, got '\(t["method"].stringValue ?? "")' (http.get and http.head read)")
            }
            let hasBody = !t["body"].isNil, hasJSON = !t["json"].isNil
            if hasBody && hasJSON { throw HostError.argument(1, "body and json: give one, not both") }
            return try write(method, url: t["url"].stringValue ?? "", body: hasJSON ? t["json"] : t["body"], asJSON: hasJSON,
                             o: t, gate: ctx.gate(for: spec), bodyArgument: 1)
        }
        return [
            methodWrite(post), methodWrite(put), methodWrite(patch), methodWrite(delete), requestFunction,
            ctx.gatedRead(get, scope: { try host(try $0.string(0)) }) { try call("GET", $0) },
            ctx.gatedRead(head, scope: { try host(try $0.string(0)) }) { try call("HEAD", $0) },
        ]
    }
}
