/// A value built on first use: primitives that open network machinery (libcurl, OpenSSL)
/// cost nothing to runs that never call them.
final class Lazy<T> {
    private var value: T?
    private let make: () -> T
    init(_ make: @escaping () -> T) { self.make = make }
    var get: T {
        if let value { return value }
        let v = make()
        value = v
        return v
    }
}
