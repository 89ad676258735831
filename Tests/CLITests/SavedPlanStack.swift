import Foundation
import Testing
import UnideskProcess
import UnideskTestSupport

/// One recipe directory for the saved-plan tests against the real stack: `plan --out`,
/// `apply` and `show` of the real binary, each run from the recipe's directory (a plan names
/// its recipe relative to it) with the stack's environment and the extra `environment`.
struct PlanRecipe {
    let run: RecipeRun
    let environment: [String: String]

    init(_ source: String, files: [String: String] = [:], environment: [String: String] = [:]) throws {
        run = try RecipeRun(source)
        for (path, text) in files { try run.dir.write(path, text) }
        self.environment = environment
    }

    var planFile: String { run.dir.path("plan.json") }

    /// `unidesk plan recipe.lua --out plan.json --report report.json <flags…>`
    func plan(_ flags: [String]) throws -> CLIResult {
        try Unidesk.run(["plan", "recipe.lua", "--out", planFile, "--state-dir", run.state, "--report", run.report] + flags,
                        in: run.dir.url, environment: environment, hardTimeout: 180)
    }

    /// `unidesk apply plan.json --report report.json <flags…>`
    func apply(_ flags: [String]) throws -> CLIResult {
        try Unidesk.run(["apply", planFile, "--state-dir", run.state, "--report", run.report] + flags,
                        in: run.dir.url, environment: environment, hardTimeout: 180)
    }

    /// `unidesk run recipe.lua <flags…>`: the same recipe, performed without a plan.
    func perform(_ flags: [String]) throws -> CLIResult {
        try Unidesk.run(["run", "recipe.lua", "--state-dir", run.state] + flags, in: run.dir.url, environment: environment, hardTimeout: 180)
    }

    /// `unidesk show plan.json <flags…>`
    func show(_ flags: [String] = []) throws -> CLIResult {
        try Unidesk.run(["show", planFile] + flags, in: run.dir.url, environment: environment)
    }

    /// The report's `apply` section: plan_digest, planned_writes, performed_writes, drift…
    var applied: [String: Any] { run.reportJSON?["apply"] as? [String: Any] ?? [:] }

    var planText: String { (try? String(contentsOfFile: planFile, encoding: .utf8)) ?? "" }

    func remove() { run.remove() }
}

/// Commands of the stack's own tools (kubectl, docker compose, skopeo through retag, curl):
/// the world changed behind unidesk's back, and what the servers hold afterwards.
enum StackTool {
    /// Runs `argv` with the test's environment plus `extra`; a failure fails the test.
    @discardableResult
    static func run(_ argv: [String], environment extra: [String: String] = [:], directory: String? = nil,
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let env = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        let r = try Command.run(argv, environment: env, directory: directory, timeout: 120)
        try #require(r.status == 0 && !r.timedOut, "\(argv.joined(separator: " ")): exit \(r.status)\n\(r.stderrTail())",
                     sourceLocation: sourceLocation)
        return r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The same, for cleanup: whatever happens is ignored.
    static func tryRun(_ argv: [String], environment extra: [String: String] = [:], directory: String? = nil) {
        let env = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        _ = try? Command.run(argv, environment: env, directory: directory, timeout: 120)
    }
}

/// The kube-apiserver of the stack, through kubectl with the admin kubeconfig.
struct KubeStack {
    let kubeconfig: String
    let kubectl: String

    init() throws {
        kubeconfig = try StackEnvironment.any.value("UNIDESK_KUBECONFIG_ADMIN_TOKEN")
        kubectl = try StackEnvironment.any.executable("UNIDESK_KUBECTL")
    }

    var environment: [String: String] { ["KUBECONFIG": kubeconfig] }

    @discardableResult
    func kubectl(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try StackTool.run([kubectl] + args, environment: environment, sourceLocation: sourceLocation)
    }

    /// `kubectl get … -o jsonpath=…`, or nil when the object does not exist.
    func field(_ kind: String, _ name: String, namespace: String, _ path: String) throws -> String? {
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let r = try Command.run([kubectl, "get", kind, name, "-n", namespace, "-o", "jsonpath={\(path)}"], environment: env, timeout: 60)
        if r.status != 0, r.stderrText.contains("NotFound") { return nil }
        try #require(r.status == 0, "kubectl get \(kind) \(name): \(r.stderrTail())")
        return r.stdoutText
    }

    func resourceVersion(_ kind: String, _ name: String, namespace: String) throws -> String? {
        try field(kind, name, namespace: namespace, ".metadata.resourceVersion")
    }

    /// A namespace of the test's own; `deleteNamespace` removes it with everything in it.
    func createNamespace(_ ns: String) throws { try kubectl(["create", "namespace", ns]) }

    func deleteNamespace(_ ns: String) {
        StackTool.tryRun([kubectl, "delete", "namespace", ns, "--wait=false"], environment: environment)
    }
}

/// The stack's registry (127.0.0.1:5000): repositories of this branch's tests, filled by
/// copying the demo images (the stack's retag script), removed afterwards.
struct RegistryStack {
    let host: String
    let retag: String

    init() throws {
        host = try StackEnvironment.engine.value("UNIDESK_ENGINE_REGISTRY")
        retag = try StackEnvironment.engine.executable("UNIDESK_ENGINE_RETAG")
    }

    /// A repository no other test uses.
    static func uniqueRepository() -> String { "unidesk/i18-stack-\(UUID().uuidString.prefix(8).lowercased())" }

    /// Publishes the demo image `demoTag` (v1, v2) as `repository:tag`, as a CI job pushing a
    /// new build under the same tag; returns the digest the registry serves it under.
    @discardableResult
    func publish(demoTag: String, as repository: String, tag: String) throws -> String {
        try StackTool.run([retag, demoTag, "\(repository):\(tag)"])
    }

    /// Deletes the manifest `repository:tag` points at (in that repository only).
    func remove(_ repository: String, tag: String) {
        let accept = "Accept: application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.v2+json,application/vnd.docker.distribution.manifest.list.v2+json"
        let url = "http://\(host)/v2/\(repository)/manifests/"
        let env = ProcessInfo.processInfo.environment
        guard let head = try? Command.run(["curl", "-sS", "-I", "--max-time", "10", "-H", accept, url + tag], environment: env, timeout: 30),
              let line = head.stdoutText.split(whereSeparator: \.isNewline).first(where: { $0.lowercased().hasPrefix("docker-content-digest:") })
        else { return }
        let digest = line.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces)
        _ = try? Command.run(["curl", "-sS", "-X", "DELETE", "--max-time", "10", url + digest], environment: env, timeout: 30)
    }
}
