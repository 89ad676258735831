import Foundation
import Testing

/// `unidesk.snapshot` in a run: a restore's old data is removed while the recipe goes on,
/// and it is gone when the run ends.
@Suite struct SnapshotRunTests {
    @Test("restore, then take again in the same run: ok, and no old data is left beside the volume")
    func restoreThenTake() throws {
        let r = try RecipeRun("""
            local snapshot = require "unidesk.snapshot"
            local fs = require "unidesk.fs"
            local volume = unidesk.vars.volume
            snapshot.take { app = "shop", volumes = { volume } }
            local restored = snapshot.restore { app = "shop" }
            unidesk.output("restored", restored.id)
            unidesk.output("again", snapshot.take { app = "shop", volumes = { volume } }.id)
            """)
        defer { r.remove() }
        let volume = r.dir.path("volumes/data")
        try FileManager.default.createDirectory(atPath: volume, withIntermediateDirectories: true)
        for i in 0..<500 { try r.dir.write("volumes/data/f\(i)", "file \(i)\n") }

        let result = try r.run("run", ["--allow", "snapshot.*", "--allow", "snapshot.*:shop//*", "--var", "volume=\(volume)", "--report", r.report])
        #expect(result.exitCode == 0, "\(result.summary)")
        let outputs = r.reportJSON?["outputs"] as? [String: String] ?? [:]
        #expect(outputs["restored"] != nil && outputs["again"] != nil && outputs["restored"] != outputs["again"], "\(outputs)")
        let beside = try FileManager.default.contentsOfDirectory(atPath: r.dir.path("volumes"))
        #expect(beside == ["data"], "left beside the volume: \(beside)")
        #expect(try String(contentsOfFile: "\(volume)/f499", encoding: .utf8) == "file 499\n")
    }
}
