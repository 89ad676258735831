import Testing
@testable import UnideskRegistry

@Suite struct ImageReferenceTests {
    @Test(arguments: [
        ("alpine", "docker.io/library/alpine:latest", "registry-1.docker.io"),
        ("alpine:3.19", "docker.io/library/alpine:3.19", "registry-1.docker.io"),
        ("bitnami/redis:7", "docker.io/bitnami/redis:7", "registry-1.docker.io"),
        ("127.0.0.1:5000/unidesk/app:sha-3f9c2a1", "127.0.0.1:5000/unidesk/app:sha-3f9c2a1", "127.0.0.1:5000"),
        ("localhost/app", "localhost/app:latest", "localhost"),
        ("ghcr.io/org/team/app:v1.2.3", "ghcr.io/org/team/app:v1.2.3", "ghcr.io"),
    ])
    func normalizes(_ text: String, _ normalized: String, _ apiHost: String) throws {
        let r = try ImageReference(parsing: text)
        #expect(r.description == normalized)
        #expect(r.apiHost == apiHost)
    }

    @Test func digestReferences() throws {
        let d = "sha256:" + String(repeating: "ab", count: 32)
        let r = try ImageReference(parsing: "127.0.0.1:5000/unidesk/app@\(d)")
        #expect(r.digest == d)
        #expect(r.tag == nil)
        #expect(r.manifestReference == d)
        let both = try ImageReference(parsing: "127.0.0.1:5000/unidesk/app:v1@\(d)")
        #expect(both.manifestReference == d, "a pinned digest wins over the tag")
    }

    @Test(arguments: ["", "UPPER/case", "app:", "app:-bad", "app@sha256:short", "a b", "app//x"])
    func rejects(_ text: String) {
        #expect(throws: RegistryError.self) { try ImageReference(parsing: text) }
    }

    @Test func loopbackIsPlainHTTP() throws {
        #expect(try ImageReference(parsing: "127.0.0.1:5000/a").isLoopback)
        #expect(try ImageReference(parsing: "localhost:5000/a").isLoopback)
        #expect(!(try ImageReference(parsing: "registry.example.com/a").isLoopback))
    }
}
