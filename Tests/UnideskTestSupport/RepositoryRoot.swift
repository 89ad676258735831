import Foundation

/// The repository root, from this file's location (Tests/UnideskTestSupport/…), for tests
/// that read the source tree: stdlib/, recipes/, docs/.
public let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()
