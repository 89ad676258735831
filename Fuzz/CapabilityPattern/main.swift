import FuzzSupport
@testable import UnideskCore

// CapabilityPattern(parsing:) and its matching (the policy's grants and denials), with
// input = pattern NUL operation NUL scope. Beyond "no crash": Glob agrees with a plain
// recursive matcher, a pattern matches its own text, and a grant never covers what the
// plain match does not (grants only adds the `//` host-path restriction).
func reference(_ p: ArraySlice<UInt8>, _ t: ArraySlice<UInt8>, _ memo: inout [Int: Bool]) -> Bool {
    let key = p.count * 4096 + t.count
    if let known = memo[key] { return known }
    let result: Bool
    if let first = p.first {
        if first == UInt8(ascii: "*") {
            result = reference(p.dropFirst(), t, &memo) || (!t.isEmpty && reference(p, t.dropFirst(), &memo))
        } else {
            result = !t.isEmpty && (first == UInt8(ascii: "?") || first == t.first) && reference(p.dropFirst(), t.dropFirst(), &memo)
        }
    } else {
        result = t.isEmpty
    }
    memo[key] = result
    return result
}

runFuzzer { bytes in
    let input = parts(bytes, 3)
    guard let patternText = utf8Text(input[0]), let operation = utf8Text(input[1]), let scope = utf8Text(input[2]) else { return }
    if input[0].count < 4096 && input[2].count < 4096 {
        var memo: [Int: Bool] = [:]
        if Glob.matches(patternText, scope) != reference(ArraySlice(input[0]), ArraySlice(input[2]), &memo) {
            violated("Glob.matches disagrees with the reference on '\(patternText)' / '\(scope)'")
        }
    }
    if !Glob.matches(patternText, patternText) { violated("'\(patternText)' does not match itself") }
    guard let pattern = try? CapabilityPattern(parsing: patternText) else { return }
    let capability = Capability(operation, scope: scope)
    if pattern.grants(capability) && !pattern.matches(capability) { violated("\(pattern) grants but does not match \(capability)") }
    if !pattern.matches(Capability(pattern.operation, scope: pattern.scope)) { violated("\(pattern) does not match its own text") }
}
