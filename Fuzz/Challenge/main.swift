import FuzzSupport
@testable import UnideskRegistry

// Challenge (a WWW-Authenticate header as a registry sends it). Beyond "no crash": the scheme
// is lower-case without spaces, and parameters written back as `scheme k="v",…` (quotes and
// backslashes escaped) parse to the same challenge.
runFuzzer { bytes in
    guard let header = utf8Text(bytes), let challenge = Challenge(header) else { return }
    if challenge.scheme.isEmpty || challenge.scheme.contains(" ") || challenge.scheme != challenge.scheme.lowercased() {
        violated("scheme '\(challenge.scheme)'")
    }
    // Keys the writer can express: a token without separators, as lower-case.
    let plainKey: (String) -> Bool = { key in
        !key.isEmpty && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
    guard !challenge.parameters.isEmpty, challenge.parameters.keys.allSatisfy(plainKey),
          challenge.scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else { return }
    let written = challenge.scheme + " " + challenge.parameters.sorted { $0.key < $1.key }.map { key, value in
        // By scalars: Foundation's replacingOccurrences matches Characters, and misses a quote
        // that a combining mark follows.
        var escaped = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            if scalar == "\\" || scalar == "\"" { escaped.append("\\") }
            escaped.append(scalar)
        }
        return "\(key)=\"\(String(escaped))\""
    }.joined(separator: ",")
    guard let again = Challenge(written) else { violated("written form does not parse: \(written)") }
    if again != challenge { violated("round trip changed the challenge: \(written)") }
}
