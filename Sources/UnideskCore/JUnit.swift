import Foundation

/// A JUnit XML document as Jenkins' and GitLab's readers take it (see docs/reports.md and
/// Tests/fixtures/junit/junit.xsd): `<testsuites>` with one `<testsuite>` per recipe or test
/// file. The counts are computed from the cases written, so they always equal the elements.
public enum JUnit {
    public struct Case: Sendable {
        public enum Outcome: Sendable, Equatable {
            case passed
            case failed(message: String, type: String, detail: String)
            case skipped(message: String)
        }
        public var name: String
        public var classname: String
        public var seconds: Double
        public var outcome: Outcome
        /// What happened inside the case that is not its outcome: attempts, inner steps.
        public var systemOut: String?
    }

    public struct Suite: Sendable {
        public var name: String
        public var timestamp: Date
        public var seconds: Double
        public var cases: [Case]

        var failures: Int { cases.filter { if case .failed = $0.outcome { return true }; return false }.count }
        var skipped: Int { cases.filter { if case .skipped = $0.outcome { return true }; return false }.count }
    }

    /// The whole document. `<error>` is never written: every unsuccessful case is a
    /// `<failure>`, so `errors` is always 0.
    public static func document(name: String, seconds: Double, suites: [Suite]) -> String {
        let tests = suites.reduce(0) { $0 + $1.cases.count }
        let failures = suites.reduce(0) { $0 + $1.failures }
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        x += "<testsuites name=\"\(escaped(name))\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"0\" time=\"\(time(seconds))\">\n"
        for s in suites {
            x += "  <testsuite name=\"\(escaped(s.name))\" tests=\"\(s.cases.count)\" failures=\"\(s.failures)\" errors=\"0\""
            x += " skipped=\"\(s.skipped)\" time=\"\(time(s.seconds))\" timestamp=\"\(timestamp(s.timestamp))\">\n"
            for c in s.cases {
                x += "    <testcase classname=\"\(escaped(c.classname))\" name=\"\(escaped(c.name))\" time=\"\(time(c.seconds))\""
                var body = ""
                switch c.outcome {
                case .passed: break
                case .failed(let message, let type, let detail):
                    body += "      <failure message=\"\(escaped(message))\" type=\"\(escaped(type))\">\(escaped(detail))</failure>\n"
                case .skipped(let message):
                    body += "      <skipped message=\"\(escaped(message))\"/>\n"
                }
                if let out = c.systemOut, !out.isEmpty { body += "      <system-out>\(escaped(out))</system-out>\n" }
                x += body.isEmpty ? "/>\n" : ">\n\(body)    </testcase>\n"
            }
            x += "  </testsuite>\n"
        }
        x += "</testsuites>\n"
        return x
    }

    /// Seconds as Surefire writes them ("12.345"): Jenkins' schema allows no exponent.
    static func time(_ seconds: Double) -> String {
        String(format: "%.3f", seconds.isFinite && seconds > 0 ? seconds : 0)
    }

    /// ISO 8601 in UTC without a zone, the form of Ant's JUnit task.
    static func timestamp(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return f.string(from: d)
    }

    /// Text for an attribute or element. XML 1.0 forbids most control characters even
    /// escaped, and U+FFFE/U+FFFF: they become "?".
    static func escaped(_ s: String) -> String {
        var o = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            case "\n", "\t": o.unicodeScalars.append(u)
            default:
                if u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF { o += "?" } else { o.unicodeScalars.append(u) }
            }
        }
        return o
    }
}
