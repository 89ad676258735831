import Foundation
import Testing
import UnideskProcess
import UnideskTestSupport

/// scripts/image against the shared stack: the image is pushed to the stack's registry, then the
/// stack's podman (through its API socket, `podman --remote`) pulls it by digest and runs it.
/// Every repository name carries the branch and a random suffix; the images pulled into the
/// engine's store are removed at the end (a registry repository cannot be deleted: it stays).
@Suite(.serialized)
struct ImageTests {
    static let script = repositoryRoot + "/scripts/image"

    /// Runs scripts/image with `args`; a cold build (mmdebstrap + the release build) takes minutes.
    static func image(_ args: [String]) throws -> CommandResult {
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        return try Command.run([script] + args, environment: env, directory: repositoryRoot, timeout: 3600)
    }

    static func lastLine(_ r: CommandResult) -> String {
        r.stdoutText.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
    }

    static func uniqueRepository() -> String { "i19-image/unidesk-\(UUID().uuidString.prefix(8).lowercased())" }

    /// `podman --remote` on the stack's engine (DOCKER_HOST is its libpod/Docker API socket).
    static func podman(_ args: [String], timeout: Double = 300) throws -> CommandResult {
        let host = try StackEnvironment.engine.value("DOCKER_HOST")
        return try Command.run(["podman", "--remote", "--url", host] + args,
                               environment: ProcessInfo.processInfo.environment, timeout: timeout)
    }

    static func skopeoInspect(_ ref: String) throws -> [String: Any] {
        let r = try Command.run(["skopeo", "inspect", "--tls-verify=false", "docker://\(ref)"],
                                environment: ProcessInfo.processInfo.environment, timeout: 60)
        try #require(r.status == 0, "skopeo inspect \(ref): \("\(r.stderrTail())")")
        return try #require(JSONSerialization.jsonObject(with: Data(r.stdout)) as? [String: Any])
    }

    static func git(_ args: [String]) throws -> String {
        let r = try Command.run(["git", "-C", repositoryRoot] + args, environment: ProcessInfo.processInfo.environment, timeout: 30)
        try #require(r.status == 0, "git \(args.joined(separator: " ")): \("\(r.stderrTail())")")
        return r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// HOST/REPO:TAG@sha256:<64 hex>, the reference pushed.
    static func checkReference(_ line: String, repository: String, tag: String) -> Bool {
        let prefix = "\(repository):\(tag)@sha256:"
        guard line.hasPrefix(prefix) else { return false }
        let hex = line.dropFirst(prefix.count)
        return hex.count == 64 && hex.allSatisfy { "0123456789abcdef".contains($0) }
    }

    @Test func helpAnswersTheOptionsAndBadInputIsAUsageError() throws {
        let help = try Self.image(["--help"])
        #expect(help.status == 0)
        for word in ["--push HOST/REPO[:TAG]", "--compose", "--out DIR", "65532", "org.opencontainers.image",
                     "mmdebstrap", "--static-swift-stdlib", "HOST/REPO:TAG@sha256:"] {
            #expect(help.stdoutText.contains(word), "scripts/image --help does not mention \(word)")
        }
        let bad = try Self.image(["--nonsense"])
        #expect(bad.status == 2)
        #expect(bad.stderrText.contains("unknown argument '--nonsense'"))
        let badRef = try Self.image(["--push", "Not A/Reference"])
        #expect(badRef.status == 2)
        #expect(badRef.stderrText.contains("is not HOST/REPO[:TAG]"))
    }

    @Test func pushedImageRunsAsNonRootWithLabelsAndRunsARecipeLikeTheHost() throws {
        let registry = try StackEnvironment.registry.value("UNIDESK_REG_ANON")
        let repository = "\(registry)/\(Self.uniqueRepository())"
        let built = try Self.image(["--push", "\(repository):t1"])
        try #require(built.status == 0, "scripts/image --push failed: exit \(built.status)\n\(built.stderrTail(30))")
        let reference = Self.lastLine(built)
        #expect(Self.checkReference(reference, repository: repository, tag: "t1"),
                "last line is not \(repository):t1@sha256:…: \(reference)")
        let digest = String(reference.split(separator: "@").last ?? "")
        let byDigest = "\(repository)@\(digest)"
        defer { _ = try? Self.podman(["rmi", "-f", byDigest], timeout: 60) }

        // labels and configuration, as the registry serves them
        let inspect = try Self.skopeoInspect(byDigest)
        #expect(inspect["Digest"] as? String == digest)
        let labels = inspect["Labels"] as? [String: String] ?? [:]
        let head = try Self.git(["rev-parse", "HEAD"])
        let revision = try #require(labels["org.opencontainers.image.revision"])
        #expect(revision == head || revision == head + "-dirty", "revision label \(revision), HEAD \(head)")
        #expect(labels["org.opencontainers.image.version"]?.isEmpty == false)
        #expect(labels["org.opencontainers.image.source"]?.isEmpty == false)
        let epoch = try #require(Double(try Self.git(["log", "-1", "--format=%ct"])))
        let created = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: epoch))
        #expect(labels["org.opencontainers.image.created"] == created)

        // pulled by digest and run: the version line is the host binary's
        let version = try Self.podman(["run", "--rm", byDigest, "version"])
        try #require(version.status == 0, "podman run \(byDigest) version: \(version.stderrTail())")
        let hostVersion = try Unidesk.run(["version"], in: URL(fileURLWithPath: repositoryRoot))
        #expect(version.stdoutText == hostVersion.stdout)
        #expect(version.stdoutText.hasPrefix("unidesk "))

        // libcurl and libpq, opened on first use, are in the image: a refused connection, not
        // "cannot load"
        let lazy = try Self.podman(["run", "--rm", "--entrypoint", "sh", byDigest, "-c", """
            printf '%s\\n' 'print(select(2, pcall(require("unidesk.http").get, "http://127.0.0.1:9/")))' \
              'print(select(2, pcall(require("unidesk.pg").connect, "host=127.0.0.1 port=9 dbname=x")))' > /tmp/lazy.lua && \
            cd /tmp && unidesk run lazy.lua --no-color
            """])
        #expect(lazy.status == 0, "\(lazy.stderrText)")
        #expect(lazy.stdoutText.contains("127.0.0.1") && !lazy.stdoutText.contains("cannot load"), "\(lazy.stdoutText)")

        // not root: the image's user
        let id = try Self.podman(["run", "--rm", "--entrypoint", "id", byDigest])
        #expect(id.status == 0)
        #expect(id.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "uid=65532(unidesk) gid=65532(unidesk) groups=65532(unidesk)")

        let help = try Self.podman(["run", "--rm", byDigest, "--help"])
        #expect(help.status == 0)
        #expect(help.stdoutText.contains("USAGE: unidesk <subcommand>"))

        // a recipe mounted into the container: the same exit code and report as on the host
        let recipe = """
            unidesk.step("greet", function() unidesk.output("greeting", "hello " .. unidesk.vars.who) end)
            unidesk.step("doc", function() unidesk.output("json", require("unidesk.json").encode({a = 1})) end)
            unidesk.step("fail", function() unidesk.fail("expected failure") end)
            """
        let host = try TempDir(prefix: "i19-image-host")
        let box = try TempDir(prefix: "i19-image-box")
        defer { host.remove(); box.remove() }
        try host.write("recipe.lua", recipe)
        try box.write("recipe.lua", recipe)
        chmod(box.url.path, 0o777)   // the container's user 65532 writes the report there
        let onHost = try Unidesk.run(["run", "recipe.lua", "--var", "who=image", "--report", "report.json"], in: host.url)
        let inBox = try Self.podman(["run", "--rm", "-v", "\(box.url.path):/work", byDigest,
                                     "run", "recipe.lua", "--var", "who=image", "--report", "report.json"])
        #expect(onHost.exitCode == 1, "\(onHost.summary)")
        #expect(inBox.status == onHost.exitCode, "in the container: exit \(inBox.status)\n\(inBox.stderrText)")
        #expect(inBox.stderrText.contains("expected failure"))
        let hostReport = try Self.reportShape(host.path("report.json"))
        let boxReport = try Self.reportShape(box.path("report.json"))
        #expect(boxReport == hostReport)
        #expect(hostReport.contains("\"status\":\"failed\""))

        // the recipe's state directory (HOME/.local/state/unidesk) is the user's and writable
        let state = try Self.podman(["run", "--rm", "--entrypoint", "sh", byDigest, "-c",
                                     "touch \"$HOME/.local/state/unidesk/x\" && stat -c '%u %a' \"$HOME/.local/state/unidesk\" && pwd"])
        #expect(state.status == 0, "\(state.stderrText)")
        #expect(state.stdoutText == "65532 700\n/work\n")
    }

    /// The parts of a report that do not depend on time: status, exit code, steps, outputs, error message.
    static func reportShape(_ path: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let r = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let steps = (r["steps"] as? [[String: Any]] ?? []).map { s in
            ["name": s["name"] ?? "", "status": s["status"] ?? "", "error": s["error"] ?? ""]
        }
        let error = (r["error"] as? [String: Any])?["message"] ?? ""
        let shape: [String: Any] = ["status": r["status"] ?? "", "exit_code": r["exit_code"] ?? -1, "steps": steps,
                                    "outputs": r["outputs"] ?? [:], "error": error, "recipe": r["recipe"] ?? ""]
        return String(decoding: try JSONSerialization.data(withJSONObject: shape, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test func composeVariantHasDockerAndComposeV2() throws {
        let registry = try StackEnvironment.registry.value("UNIDESK_REG_ANON")
        let repository = "\(registry)/\(Self.uniqueRepository())"
        let built = try Self.image(["--compose", "--push", repository])
        try #require(built.status == 0, "scripts/image --compose --push failed: exit \(built.status)\n\(built.stderrTail(30))")
        let reference = Self.lastLine(built)
        let version = try Self.git(["describe", "--tags", "--always"])
        #expect(reference.hasPrefix("\(repository):\(version)"), "default tag is the version: \(reference)")
        #expect(reference.contains("-compose@sha256:"), "\(reference)")
        let digest = String(reference.split(separator: "@").last ?? "")
        let byDigest = "\(repository)@\(digest)"
        defer { _ = try? Self.podman(["rmi", "-f", byDigest], timeout: 60) }
        let labels = try Self.skopeoInspect(byDigest)["Labels"] as? [String: String] ?? [:]
        #expect(labels["org.opencontainers.image.title"] == "unidesk-compose")
        let compose = try Self.podman(["run", "--rm", "--entrypoint", "docker", byDigest, "compose", "version"])
        #expect(compose.status == 0, "\(compose.stderrText)")
        let expected = try StackEnvironment.engine.value("UNIDESK_COMPOSE_VERSION")
        #expect(compose.stdoutText.contains("v\(expected)"), "\(compose.stdoutText)")
        // the CLI reaches an engine through a mounted socket (the stack's is root's, 0600: --user 0:0)
        let sock = try StackEnvironment.engine.value("UNIDESK_ENGINE_SOCK")
        let server = try Self.podman(["run", "--rm", "--user", "0:0", "-v", "\(sock):/run/docker.sock",
                                      "-e", "DOCKER_HOST=unix:///run/docker.sock", "--entrypoint", "docker", byDigest,
                                      "version", "--format", "{{.Server.Version}}"])
        #expect(server.status == 0, "\(server.stderrText)")
        #expect(server.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty == false)
        let unidesk = try Self.podman(["run", "--rm", byDigest, "version"])
        #expect(unidesk.status == 0)
        #expect(unidesk.stdoutText.hasPrefix("unidesk "))
    }

    @Test func outsideAGitCheckoutItSaysWhereTheLabelsComeFrom() throws {
        // a copy of the script outside any checkout
        let dir = try TempDir(prefix: "i19-image-nogit")
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.path("scripts/image.d"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.script, toPath: dir.path("scripts/image"))
        try FileManager.default.copyItem(atPath: repositoryRoot + "/scripts/image.d/oci.py", toPath: dir.path("scripts/image.d/oci.py"))
        let r = try Command.run([dir.path("scripts/image")], environment: ProcessInfo.processInfo.environment, timeout: 60)
        #expect(r.status == 1)
        #expect(r.stderrText.contains("is not a git checkout"), "\(r.stderrText)")
    }

    @Test func withoutMmdebstrapItSaysWhatToInstall() throws {
        // a PATH with what the script needs before that check (bash, date, dirname, git) and no mmdebstrap
        let bin = try TempDir(prefix: "i19-image-path")
        defer { bin.remove() }
        for tool in ["bash", "date", "dirname", "git"] {
            let target = try #require(Command.find(tool, path: ProcessInfo.processInfo.environment["PATH"]))
            try FileManager.default.createSymbolicLink(atPath: bin.path(tool), withDestinationPath: target)
        }
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = bin.url.path
        let r = try Command.run([Self.script], environment: env, timeout: 60)
        #expect(r.status == 1)
        #expect(r.stderrText.contains("mmdebstrap is not installed: run scripts/install-deps (or apt-get install mmdebstrap)"), "\(r.stderrText)")
    }

    @Test func aFailedPushNamesTheRegistryAndTheReason() throws {
        // a loopback port where nothing listens (bound, then closed) stands for a registry that is down
        let closed = try Self.closedLoopbackPort()
        let r = try Self.image(["--push", "127.0.0.1:\(closed)/i19-image/unreachable:t"])
        #expect(r.status == 1)
        #expect(r.stderrText.contains("push to registry 127.0.0.1:\(closed) failed"), "\(r.stderrTail())")
        #expect(r.stderrText.contains("connection refused"), "\(r.stderrTail())")
    }

    static func closedLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
