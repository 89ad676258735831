import Foundation
import Testing
@testable import UnideskCore
import UnideskData

/// kube arguments refused before anything is asked of a server (so no stack is needed).
@Suite struct KubeArgumentTests {
    /// An empty condition names no condition type: a bad argument, before any kubeconfig is
    /// read (it used to reach the poll loop and index an empty split).
    @Test func aWaitOnAnEmptyConditionIsABadArgument() throws {
        let t = try TempRecipe(["recipe.lua": """
            local kube = require "unidesk.kube"
            local ok, e = pcall(kube.wait, { kind = "Deployment", name = "web", condition = "" })
            unidesk.output("error", tostring(e))
            """])
        let r = try t.run(.run, allow: ["kube.*"], env: ["KUBECONFIG": "/nonexistent/kubeconfig"])
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        let message = Dictionary(uniqueKeysWithValues: r.outputs)["error"]?.stringValue ?? ""
        #expect(message.contains("bad argument #1 to 'unidesk.kube.wait' (condition must name a condition type"), "\(message)")
    }

    /// A list whose first object has no kind is refused at that object, before anything is
    /// sent (the server here does not exist). The old batching scan never advanced past such
    /// an object and spun forever.
    @Test func anApplyOfObjectsWithoutAKindIsABadArgument() throws {
        let t = try TempRecipe(["recipe.lua": """
            local kube = require "unidesk.kube"
            local ok, e = pcall(kube.apply, {
              { apiVersion = "v1", metadata = { name = "a", namespace = "shop" } },
              { apiVersion = "v1", kind = "ConfigMap", metadata = { name = "b", namespace = "shop" } } })
            unidesk.output("error", tostring(e))
            """, "kubeconfig": """
            current-context: nowhere
            clusters: [{ name: c, cluster: { server: "http://127.0.0.1:1" } }]
            users: [{ name: u, user: { token: unused } }]
            contexts: [{ name: nowhere, context: { cluster: c, user: u } }]
            """])
        let r = try t.run(.run, allow: ["kube.*"], env: ["KUBECONFIG": "\(t.dir)/kubeconfig"])
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        let message = Dictionary(uniqueKeysWithValues: r.outputs)["error"]?.stringValue ?? ""
        #expect(message.contains("bad argument #1 to 'unidesk.kube.apply' (object 1 needs apiVersion, kind and metadata.name)"), "\(message)")
    }
}
