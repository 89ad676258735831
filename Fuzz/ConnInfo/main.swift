import FuzzSupport
import UnideskPostgres

// ConnInfo(parsing:) (libpq's PQconninfoParse) and ConnInfo.passwordForms (the redactor's view)
// on a key=value string or URI. Beyond "no crash": a refused DSN's error never quotes its
// password in any form, and an accepted one's password is among the forms the redactor hides.
runFuzzer { bytes in
    guard let dsn = utf8Text(bytes), !dsn.contains("\0") else { return }
    let forms = ConnInfo.passwordForms(in: dsn)
    do {
        let info = try ConnInfo(parsing: dsn)
        if let password = info.options["password"], !password.isEmpty, !forms.contains(password) {
            violated("password not among the forms the redactor hides")
        }
        _ = info.scope(overrides: [:], environment: [:])
    } catch {
        let message = "\(error)"
        // A form made only of letters and spaces can be a word of libpq's own message.
        for form in forms where form.count >= 4 && !form.allSatisfy({ $0.isLetter || $0 == " " }) && message.contains(form) {
            violated("error quotes the password '\(form)': \(message)")
        }
    }
}
