import Foundation
import FuzzSupport
import UnideskData
@testable import UnideskRegistry

// DockerConfig.load on a config.json holding the input, then credentials(for:) for each host it
// names. Beyond "no crash": without credHelpers/credsStore no helper runs, so a lookup never
// fails; and `auths` entries with an `auth` field give back the user and password it encodes.
let configDirectory = scratchDirectory + "/docker"
try? FileManager.default.createDirectory(atPath: configDirectory, withIntermediateDirectories: true)
let environment = ["DOCKER_CONFIG": configDirectory, "PATH": scratchDirectory + "/no-helpers", "HOME": scratchDirectory]

runFuzzer { bytes in
    writeScratchFile(configDirectory + "/config.json", bytes)
    let config = DockerConfig.load(environment: environment)
    let document = try? JSON.decode(bytes: bytes)
    let hosts = (document?["auths"]?.objectValue ?? []).map(\.0) + (document?["credHelpers"]?.objectValue ?? []).map(\.0)
    let usesHelpers = config.store != nil || !config.helpers.isEmpty
    for host in hosts.prefix(8) {
        do {
            _ = try config.credentials(for: host)
        } catch {
            if !usesHelpers { violated("lookup of '\(host)' failed without a helper: \(error)") }
        }
    }
    for (host, entry) in document?["auths"]?.objectValue ?? [] {
        guard let auth = entry["auth"]?.stringValue, let raw = Data(base64Encoded: auth),
              let text = String(data: raw, encoding: .utf8), let colon = text.firstIndex(of: ":") else { continue }
        guard let found = config.auths[host] else { violated("auths entry '\(host)' lost") }
        if found.username != String(text[..<colon]) || found.password != String(text[text.index(after: colon)...]) {
            violated("auths entry '\(host)' decoded to another user or password")
        }
    }
}
