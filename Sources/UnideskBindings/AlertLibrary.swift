import Foundation
import LuaRuntime
import UnideskCore
import UnideskData
import UnideskHTTP
import UnideskNotify

/// `require "unidesk.alert"` (stdlib/unidesk/alert.lua keeps the records and the outbox of
/// undelivered alerts in the state store); the host delivers to the operator's sinks, each
/// delivery a gated `http.post`.
public enum AlertLibrary {
    static let raise = PrimitiveSpec(
        module: "alert", name: "raise",
        summary: "Raises an alert: records it in the state store (alerts/<app>/<time>), in the run's outputs (`alerts`) and as a warning in the log, then delivers it to every sink the operator configured (policy file `alerts.sinks`, `--alert-sink`): Alertmanager's API v2, a JSON webhook, a Slack-compatible webhook. Each delivery is a gated `http.post` (granted by configuring the sink; only planned in plan mode). A failed delivery never loses the alert and never fails the run unless `required`: the record keeps the sinks it missed (`undelivered`) and the next run that raises or lists alerts delivers it. Earlier undelivered alerts are delivered first. Returns the record.",
        params: [Param("alert", .record([
            Param("kind", .string, "what happened: held, rolled_back, failed, …"),
            Param("app", .string, ""),
            Param("severity", .string, optional: true, "critical, warning (default) or info: Alertmanager's `severity` label"),
            Param("attempted", .string, optional: true, "the version tried"),
            Param("last_good", .string, optional: true, "the version running now"),
            Param("recovered", .boolean, optional: true, "whether the app is back on last_good"),
            Param("notes", .string, optional: true, ""),
            Param("required", .boolean, optional: true, "raise kind = undelivered when a sink did not take it (default false: a warning)"),
        ]), "")],
        returns: [("table", "record", "the alert: id, at, the fields given, delivered (sink names), undelivered ({sink = error})")],
        effect: .write, scope: "alerts/<app>/<time> (as state.set); each sink: http.post:<host>/<path>",
        errors: ["raises kind = undelivered (fields: id, undelivered) when `required` and a sink did not take it; the alert is kept and retried all the same"],
        example: #"alert.raise{ kind = "held", app = "shop", attempted = "2.0.0", last_good = "1.4.2", recovered = true, notes = "a major upgrade waits for a person" }"#)
    static let resolve = PrimitiveSpec(
        module: "alert", name: "resolve",
        summary: "Ends an app's firing alerts (of one kind, or all): each record gets `resolved_at`, and every sink hears it (Alertmanager: the same labels with endsAt = now, which resolves it; webhook: status \"resolved\"; Slack: a RESOLVED line). Delivery as for raise. Returns the records it resolved (empty when none fired).",
        params: [Param("alert", .record([
            Param("app", .string, ""),
            Param("kind", .string, optional: true, "only alerts of this kind (default: every kind)"),
        ]), "")],
        returns: [("table[]", "resolved", "the records it resolved")],
        effect: .write, scope: "alerts/<app>/<time> (as state.set); each sink: http.post:<host>/<path>",
        example: #"alert.resolve{ app = "shop", kind = "rolled_back" }"#)
    static let list = PrimitiveSpec(
        module: "alert", name: "list", summary: "An app's recorded alerts, oldest first (undelivered ones are delivered first, as raise does).",
        params: [Param("app", .string, "")], returns: [("table[]", "alerts", "")])

    public static let library = HostLibrary(
        name: "alert", summary: "Alerts (kind, app, severity, attempted, last_good, recovered, notes): recorded in the state store and the report, delivered to Alertmanager, webhooks and Slack.",
        specs: [raise, resolve, list]
    ) { ctx in
        let transport = Lazy { HTTPTransport() }
        let post = ctx.gate(for: HTTPBinding.post)
        func sink(_ c: AlertSinkConfig) -> AlertSink {
            let kind: AlertSink.Kind = switch c.kind { case .alertmanager: .alertmanager; case .webhook: .webhook; case .slack: .slack }
            return AlertSink(kind: kind, name: c.name, postURL: c.postURL, headers: c.headers.map { ($0.name, $0.value) },
                             labels: c.labels, endsAfter: c.endsAfter)
        }
        func alert(_ t: LuaTable) -> Alert {
            var a = Alert(id: t["id"].stringValue ?? "", app: t["app"].stringValue ?? "", kind: t["kind"].stringValue ?? "",
                          severity: t["severity"].stringValue ?? "warning", raisedAt: t["at"].stringValue ?? "")
            a.attempted = t["attempted"].stringValue
            a.lastGood = t["last_good"].stringValue
            if case .bool(let b) = t["recovered"] { a.recovered = b }
            a.notes = t["notes"].stringValue
            a.resolvedAt = t["resolved_at"].stringValue
            return a
        }
        /// One delivery: a gated POST. A value, never an error, except a denial (the run
        /// fails on it as on every denial, but the caller still keeps the alert).
        func deliver(_ a: Alert, to c: AlertSinkConfig) -> (ok: Bool, error: String?) {
            let s = sink(c)
            let (shownURL, hidden) = HTTPBinding.masked(c.postURL)
            hidden.forEach { ctx.redactor.register($0) }
            let url = c.urlIsSecret ? Redactor.mask : shownURL
            guard let capability = c.capability else { return (false, "sink \(c.name): no host in its URL") }
            let body = s.payload(a)
            // The sink's own headers win over these defaults.
            let defaults = [("Content-Type", "application/json"), ("Idempotency-Key", "\(a.id):\(a.status)")]
            let headers = defaults.filter { d in !s.headers.contains { $0.0.lowercased() == d.0.lowercased() } } + s.headers
            let shown: DataValue = .object([
                ("sink", .string(c.name)), ("type", .string(c.kind.rawValue)), ("method", .string("POST")), ("url", .string(url)),
                ("alert", .object([("id", .string(a.id)), ("app", .string(a.app)), ("kind", .string(a.kind)), ("status", .string(a.status))])),
                ("body", .object([("digest", .string(SHA256.digest(body))), ("bytes", .int(Int64(body.count)))])),
            ])
            let req = HTTPRequest(method: "POST", url: c.postURL, headers: headers, body: body,
                                  timeout: ctx.timeout(c.timeout, default: 10, minimum: 0.001), maxBodyBytes: 64 * 1024, maxRedirects: 0)
            do {
                return try post.call(scope: capability.scope, arguments: shown, target: .string("POST \(url) (alert sink \(c.name))"),
                                     perform: { () -> (Bool, String?) in
                    // Every delivery carries an Idempotency-Key (the alert's id and status), so it may be retried.
                    let outcome = transport.get.perform(req, policy: RetryPolicy(retries: 2), remaining: { ctx.deadlineRemaining })
                    let reason = outcome.undeliveredReason(bodyPrefix: 200)
                    return (reason == nil, reason)
                }, plan: {
                    Gate.Planned((false, "planned"), detail: .string("not sent (plan mode): alert \(a.app)/\(a.kind) (\(a.status)) to sink \(c.name), POST \(url)"),
                                 verdict: .unverified)
                })
            } catch {
                return (false, ctx.redactor.scrub("\(error)"))
            }
        }
        return [
            HostFunction("unidesk.alert._sinks") { _ in
                [.table(LuaTable(array: ctx.alertSinks.map { .string($0.name) }))]
            },
            // _deliver(record, names?) → {delivered = {names}, undelivered = {name = error}, planned = bool}
            HostFunction("unidesk.alert._deliver") { args in
                guard let t = args.first?.tableValue else { return [] }
                let only = args.count > 1 ? args[1].tableValue.map { $0.array.compactMap(\.stringValue) } : nil
                let a = alert(t)
                var delivered: [LuaValue] = [], undelivered: [(String, LuaValue)] = [], gone: [LuaValue] = []
                let sinks = ctx.alertSinks
                for name in only ?? sinks.map(\.name) {
                    guard let c = sinks.first(where: { $0.name == name }) else { gone.append(.string(name)); continue }
                    let (ok, error) = try ctx.bounded { deliver(a, to: c) }
                    if ok { delivered.append(.string(name)) } else { undelivered.append((name, .string(error ?? "not delivered"))) }
                }
                return [.table(LuaTable(fields: [
                    ("delivered", .table(LuaTable(array: delivered))), ("undelivered", .table(LuaTable(fields: undelivered))),
                    ("gone", .table(LuaTable(array: gone))), ("planned", .bool(ctx.mode.isPlan)),
                ]))]
            },
        ]
    }
}
