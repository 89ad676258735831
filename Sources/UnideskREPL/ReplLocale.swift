import Foundation

/// libedit converts the edited line from wide characters with the C library's locale: in
/// the default "C" locale anything beyond ASCII is lost. Only LC_CTYPE is changed (number
/// formatting stays "C").
public enum ReplLocale {
    public static func ensureUTF8() {
        if let set = setlocale(LC_CTYPE, ""), isUTF8(String(cString: set)) { return }
        if setlocale(LC_CTYPE, "C.UTF-8") == nil { _ = setlocale(LC_CTYPE, "C") }
    }

    private static func isUTF8(_ name: String) -> Bool {
        let n = name.lowercased()
        return n.contains("utf-8") || n.contains("utf8")
    }
}
