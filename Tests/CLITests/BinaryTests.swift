import Foundation
import Testing

@Suite("CLI binary under test")
struct BinaryTests {
    @Test("the unidesk binary is found ($UNIDESK_BIN or next to the test bundle)")
    func binaryIsFound() throws {
        let url = try Unidesk.binary()
        #expect(FileManager.default.isExecutableFile(atPath: url.path))
    }
}
