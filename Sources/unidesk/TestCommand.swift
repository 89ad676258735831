import ArgumentParser
import Foundation
import UnideskBindings
import UnideskCore

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Run a recipe's tests (*_test.lua files).",
        discussion: """
        Each *_test.lua file runs as a recipe of its own, in a fresh sandbox, in run mode, with \
        `require "unidesk.test"`: describe/it, test.eq (deep equality, the first difference named), \
        test.raises, and test.fake(family, impl) to replace any primitive family (registry, http, \
        compose, kube, pg…) by a table of functions, so a recipe's policy is tested without \
        infrastructure. --report writes one JSON document with every file's run and the \
        command's status; --junit one testsuite per file with one testcase per test (steps run \
        by the code under test are not testcases; see docs/reports.md). Each file gets a fresh state directory of its own (unless --state-dir is given), where \
        state.* and fs.write need no grant; every other write still does.

        Recordings of real responses: test.replay(family, "fixtures/x.recording.json") puts a \
        recording in front of a family. A call is answered by the recorded call with the same \
        function and arguments (deep equality, as JSON): its results, its `nil, err`, or its \
        error raised again (same kind, message and fields). A call the recording lacks fails the \
        test, naming the call and the file. `unidesk test --record` runs the same files against \
        the real primitives (grants from --allow and the policy, as for run) and writes each \
        recording when its file's tests finish: pretty JSON with stable key order, written \
        atomically, only inside the test file's directory, secrets and --secret-env values \
        masked. Commit the recordings; replaying needs no infrastructure and no grants.

        Exit 0 when every test passed, 1 when one failed or a file could not run.
        """)

    @Argument(help: "Test files or directories to search for *_test.lua (default: the current directory).")
    var paths: [String] = []

    @Flag(help: "Call the real primitives behind test.replay and write its recordings (see above).")
    var record = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        let files: [String]
        do { files = try TestRunner.testFiles(paths) } catch { throw ValidationError(error.message) }
        let runner = TestRunner(base: try common.engineOptions(mode: .run), record: record,
                                stateDirectoryGiven: common.stateDir != nil, stateDatabaseGiven: common.stateDb != nil,
                                libraries: Libraries.all)
        let report = runner.run(files)
        Console.writeFD(2, TestRunner.summary(report) + "\n")
        throw CommandExit(code: report.exitCode.rawValue)
    }
}
