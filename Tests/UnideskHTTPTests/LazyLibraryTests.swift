import CLazyLibs
import Foundation
import Testing

/// libcurl, libpq and libcrypto are opened on first use (Sources/CLazyLibs): when that fails,
/// the reason names the library and the Debian package to install.
@Suite struct LazyLibraryTests {
    /// Opens `soname` looking up `symbol`; the error text, or nil when it loaded.
    func open(_ soname: String, symbol: String) -> String? {
        let name = strdup(symbol)!, so = strdup(soname)!, package = strdup("libexample1")!
        let slot = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: 1)
        slot.initialize(to: nil)
        let table = UnsafeMutablePointer<ud_lazy_symbol>.allocate(capacity: 1)
        table.initialize(to: ud_lazy_symbol(name: name, slot: slot))
        defer { free(name); free(so); free(package); slot.deallocate(); table.deallocate() }
        var library = ud_lazy_library()
        library.soname = UnsafePointer(so)
        library.package = UnsafePointer(package)
        library.symbols = UnsafePointer(table)
        library.count = 1
        let first = ud_lazy_open(&library).map { String(cString: $0) }
        // Once decided, the answer stays (no second dlopen).
        let second = ud_lazy_open(&library).map { String(cString: $0) }
        #expect(first == second)
        // Loaded: the function's address is filled in.
        #expect(first != nil || slot.pointee != nil)
        return first
    }

    @Test func aMissingLibraryNamesThePackage() {
        let error = open("libunidesk-no-such-library.so.9", symbol: "anything")
        #expect(error?.hasPrefix("cannot load libunidesk-no-such-library.so.9 (") == true, "\(error ?? "nil")")
        #expect(error?.hasSuffix("): install Debian's libexample1 package") == true, "\(error ?? "nil")")
    }

    @Test func aMissingFunctionAsksForANewerPackage() {
        let error = open("libc.so.6", symbol: "unidesk_no_such_function")
        #expect(error == "libc.so.6 has no function unidesk_no_such_function: a newer libexample1 package is needed")
    }

    @Test func aPresentFunctionLoads() {
        #expect(open("libc.so.6", symbol: "strlen") == nil)
    }
}
