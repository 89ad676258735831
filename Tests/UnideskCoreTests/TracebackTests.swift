import Testing
@testable import UnideskCore

/// Tracebacks users see hold only their own frames (issue 16, item 8).
@Suite struct TracebackTests {
    @Test("the primitive that raised and unidesk's own frames are dropped; C frames the user's code called stay")
    func userFramesOnly() {
        let raw = """
        w.lua:4: policy denied state.set:k
        stack traceback:
        \t[C]: in function 'error'
        \t[C]: in field 'set'
        \tstdlib/unidesk/state.lua:12: in function 'unidesk.state.set'
        \tw.lua:4: in function <w.lua:3>
        \t[C]: in function 'table.sort'
        \tw.lua:8: in main chunk
        \t[C]: in ?
        """
        let shown = Traceback.userFrames(raw)
        #expect(shown == """
        w.lua:4: policy denied state.set:k
        stack traceback:
        \tw.lua:4: in function <w.lua:3>
        \t[C]: in function 'table.sort'
        \tw.lua:8: in main chunk
        """)
    }
}
