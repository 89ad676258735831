import FuzzSupport
import UnideskRegistry

// ImageReference(parsing:). Beyond "no crash": the normalized form (description) parses to the
// same reference, and a pinned digest is what the manifest is asked for.
runFuzzer { bytes in
    guard let text = utf8Text(bytes) else { return }
    guard let reference = try? ImageReference(parsing: text) else { return }
    guard let again = try? ImageReference(parsing: reference.description) else {
        violated("normalized form '\(reference.description)' of '\(text)' does not parse")
    }
    if again != reference { violated("'\(text)' → '\(reference.description)' → '\(again.description)'") }
    if let digest = reference.digest, reference.manifestReference != digest { violated("digest not used for the manifest") }
    if reference.repository.isEmpty || reference.registry.isEmpty { violated("empty repository or registry from '\(text)'") }
}
