import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings

/// Every non-pure primitive writes an audit record under `plan --offline`: the record is
/// where the plan, the audit and a later drift check come from, so no family may skip it.
/// A new effectful spec without an entry in `calls` fails `everyEffectfulSpecHasACall`.
@Suite struct AuditUnderOfflinePlanTests {
    /// spec's full name → (a minimal valid call, the primitive whose record it writes:
    /// a stdlib function records the host primitive it goes through).
    static let calls: [String: (lua: String, records: String?)] = [
        "unidesk.fs.read": (#"require("unidesk.fs").read("recipe.lua")"#, nil),
        "unidesk.fs.list": (#"require("unidesk.fs").list(".")"#, nil),
        "unidesk.fs.exists": (#"require("unidesk.fs").exists("nothing")"#, nil),
        "unidesk.fs.write": (#"require("unidesk.fs").write("out.txt", "x")"#, nil),
        "unidesk.registry.head": (#"require("unidesk.registry").head("127.0.0.1:1/team/app:1")"#, nil),
        "unidesk.registry.head_many": (#"require("unidesk.registry").head_many({ "127.0.0.1:1/team/app:1" })"#, "unidesk.registry.head"),
        "unidesk.http.get": (#"require("unidesk.http").get("http://127.0.0.1:1/")"#, nil),
        "unidesk.http.head": (#"require("unidesk.http").head("http://127.0.0.1:1/")"#, nil),
        "unidesk.http.wait": (#"require("unidesk.http").wait("http://127.0.0.1:1/", { timeout = 1 })"#, "unidesk.http.get"),
        "unidesk.http.post": (#"require("unidesk.http").post("http://127.0.0.1:1/hook", { a = 1 })"#, nil),
        "unidesk.http.put": (#"require("unidesk.http").put("http://127.0.0.1:1/x", "v")"#, nil),
        "unidesk.http.patch": (#"require("unidesk.http").patch("http://127.0.0.1:1/x", "v")"#, nil),
        "unidesk.http.delete": (#"require("unidesk.http").delete("http://127.0.0.1:1/x")"#, nil),
        // recorded under the method's capability (http.post:…)
        "unidesk.http.request": (#"require("unidesk.http").request{ method = "POST", url = "http://127.0.0.1:1/hook", json = { a = 1 } }"#, "unidesk.http.post"),
        "unidesk.pg.connect": (#"require("unidesk.pg").connect("postgres://app@127.0.0.1:1/shop")"#, nil),
        "unidesk.pg.connection:exec": (#"require("unidesk.pg").connect("postgres://app@127.0.0.1:1/shop"):exec("UPDATE t SET a = 1")"#, nil),
        "unidesk.pg.connection:exec_many": (#"require("unidesk.pg").connect("postgres://app@127.0.0.1:1/shop"):exec_many("INSERT INTO t VALUES ($1)", { { 1 }, { 2 } })"#, nil),
        "unidesk.pg.connection:query": (#"require("unidesk.pg").connect("postgres://app@127.0.0.1:1/shop"):query("SELECT 1")"#, nil),
        "unidesk.pg.connection:script": (#"require("unidesk.pg").connect("postgres://app@127.0.0.1:1/shop"):script("SELECT 1;")"#, nil),
        "unidesk.pg.exec": (#"require("unidesk.pg").exec{ dsn = "postgres://app@127.0.0.1:1/shop", sql = "UPDATE t SET a = 1" }"#, "unidesk.pg.connection:exec"),
        "unidesk.compose.recreate": (#"require("unidesk.compose").recreate{ project = "shop", dir = "deploy", service = "web" }"#, nil),
        "unidesk.compose.ps": (#"require("unidesk.compose").ps{ project = "shop", dir = "deploy" }"#, nil),
        "unidesk.compose.inspect": (#"require("unidesk.compose").inspect{ project = "shop", dir = "deploy", service = "web" }"#, nil),
        "unidesk.compose.up": (#"require("unidesk.compose").up{ project = "shop", dir = "deploy", services = { "web" } }"#, nil),
        "unidesk.compose.stop": (#"require("unidesk.compose").stop{ project = "shop", dir = "deploy" }"#, nil),
        "unidesk.compose.down": (#"require("unidesk.compose").down{ project = "shop", dir = "deploy" }"#, nil),
        "unidesk.snapshot.take": (#"require("unidesk.snapshot").take{ app = "shop", volumes = { "shop_data" } }"#, nil),
        "unidesk.snapshot.restore": (#"require("unidesk.snapshot").restore{ app = "shop" }"#, nil),
        "unidesk.snapshot.info": (#"require("unidesk.snapshot").info{ app = "shop" }"#, nil),
        "unidesk.snapshot.list": (#"require("unidesk.snapshot").list()"#, nil),
        "unidesk.snapshot.drop": (#"require("unidesk.snapshot").drop{ app = "shop" }"#, nil),
        "unidesk.kube.get": (#"require("unidesk.kube").get{ kind = "Deployment", name = "web", namespace = "shop" }"#, nil),
        "unidesk.kube.list": (#"require("unidesk.kube").list{ kind = "Deployment", namespace = "shop" }"#, nil),
        "unidesk.kube.apply": (#"require("unidesk.kube").apply{ apiVersion = "v1", kind = "ConfigMap", metadata = { name = "c", namespace = "shop" } }"#, nil),
        "unidesk.kube.delete": (#"require("unidesk.kube").delete{ kind = "ConfigMap", name = "c", namespace = "shop" }"#, nil),
        "unidesk.kube.wait": (#"require("unidesk.kube").wait{ kind = "Deployment", name = "web", namespace = "shop" }"#, nil),
        "unidesk.state.get": (#"require("unidesk.state").get("shop/k")"#, nil),
        "unidesk.state.set": (#"require("unidesk.state").set("shop/k", 1)"#, nil),
        "unidesk.state.delete": (#"require("unidesk.state").delete("shop/k")"#, nil),
        "unidesk.state.keys": (#"require("unidesk.state").keys("shop/")"#, nil),
        "unidesk.state._lock": (#"require("unidesk.state").lock("shop", function() end)"#, nil),
        "unidesk.alert.raise": (#"require("unidesk.alert").raise{ kind = "held", app = "shop" }"#, "unidesk.state.set"),
        // nothing fires in an empty state: its record is the lookup of the app's alerts
        "unidesk.alert.resolve": (#"require("unidesk.alert").resolve{ app = "shop" }"#, "unidesk.state.keys"),
    ]

    /// Every effectful spec of every library, and every gated host function (state._lock
    /// has no reference entry but is gated).
    static var effectfulSpecs: [String] {
        var names = Libraries.all.flatMap(\.specs).filter { $0.effect != .pure }.map(\.fullName)
        names.append("unidesk.state._lock")
        return names
    }

    @Test func everyEffectfulSpecHasACall() {
        for name in Self.effectfulSpecs {
            #expect(Self.calls[name] != nil, "\(name) has no call in AuditUnderOfflinePlanTests.calls")
        }
    }

    @Test(arguments: AuditUnderOfflinePlanTests.calls.keys.sorted())
    func writesAnAuditRecordUnderPlanOffline(_ name: String) throws {
        let call = try #require(Self.calls[name])
        let recipe = try TempRecipe([
            "recipe.lua": "pcall(function() \(call.lua) end)\n",
            "deploy/compose.yaml": "services:\n  web:\n    image: 127.0.0.1:1/shop/web:1\n",
            "kubeconfig": """
                apiVersion: v1
                kind: Config
                clusters: [{ name: c, cluster: { server: "https://127.0.0.1:1" } }]
                users: [{ name: u, user: { token: not-a-real-token } }]
                contexts: [{ name: x, context: { cluster: c, user: u, namespace: shop } }]
                current-context: x
                """,
        ])
        let report = try recipe.run(.plan(offline: true), allow: ["*"], env: ["KUBECONFIG": "\(recipe.dir)/kubeconfig"])
        let primitive = call.records ?? name
        let records = report.audit.filter { $0.primitive == primitive }
        #expect(!records.isEmpty, "\(name): no audit record of \(primitive) under plan --offline; audit: \(report.audit.map(\.primitive)); error: \(report.error?.message ?? "none")")
        // Nothing was performed that reaches the network or changes anything.
        for r in records {
            #expect(!(r.performed && (r.effect == .write || r.effect == .read)), "\(name): \(r.capability) was performed under plan --offline")
        }
    }
}
