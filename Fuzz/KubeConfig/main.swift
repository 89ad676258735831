import Foundation
import FuzzSupport
import UnideskData
@testable import UnideskKube

// KubeConfig.fromFiles on a kubeconfig holding the input (as `unidesk` reads ~/.kube/config).
// Beyond "no crash": a resolved target has an http(s) server without a trailing slash, and no
// error message quotes a user's token or client key (they are secrets).
let path = scratchDirectory + "/kubeconfig"

runFuzzer { bytes in
    writeScratchFile(path, bytes)
    do {
        let target = try KubeConfig.fromFiles([path], context: nil, environment: [:])
        if !(target.server.hasPrefix("https://") || target.server.hasPrefix("http://")) || target.server.hasSuffix("/") {
            violated("server '\(target.server)'")
        }
    } catch {
        guard let text = utf8Text(bytes), let document = try? YAML.decode(text) else { return }
        let secrets = (document["users"]?.arrayValue ?? []).flatMap { user in
            [user["user"]?["token"]?.stringValue, user["user"]?["client-key-data"]?.stringValue].compactMap { $0 }
        }
        let message = "\(error)"
        for secret in secrets where secret.count >= 6 && message.contains(secret) {
            violated("error quotes a secret: \(message)")
        }
    }
}
