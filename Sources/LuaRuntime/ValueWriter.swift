import CLuaShim

/// Queues values for C to push after the Swift frame has returned (see CLuaShim.h).
struct ValueWriter {
    let L: OpaquePointer
    let retain: (HostFunction) -> Void

    func write(_ v: LuaValue) {
        switch v {
        case .nil, .opaque: ud_out_nil(L)
        case .null: ud_out_null(L)
        case .bool(let b): ud_out_bool(L, b ? 1 : 0)
        case .int(let i): ud_out_int(L, i)
        case .number(let d): ud_out_num(L, d)
        case .string(let s): writeString(s, setfield: false)
        case .bytes(let b):
            b.withUnsafeBufferPointer { p in
                p.withMemoryRebound(to: CChar.self) { ud_out_str(L, $0.baseAddress, $0.count) }
            }
        case .secret(let s):
            s.revealedBytes.withUnsafeBufferPointer { p in
                p.withMemoryRebound(to: CChar.self) { ud_out_secret(L, $0.baseAddress, $0.count) }
            }
        case .table(let t):
            write(t, errorMeta: false)
        case .function(let f):
            retain(f)
            switch f.fastPath {
            case nil: ud_out_hostfunction(L, Unmanaged.passUnretained(f).toOpaque())
            case .jsonDecode?: ud_out_nativefunction(L, ud_json_decode_function(), Unmanaged.passUnretained(f).toOpaque())
            case .jsonEncode?: ud_out_nativefunction(L, ud_json_encode_function(), Unmanaged.passUnretained(f).toOpaque())
            }
        }
    }

    func write(_ t: LuaTable, errorMeta: Bool) {
        ud_out_newtable(L, Int32(clamping: t.array.count), Int32(clamping: t.fields.count))
        for (i, e) in t.array.enumerated() {
            write(e)
            ud_out_seti(L, Int64(i + 1))
        }
        for (k, e) in t.fields {
            write(e)
            writeString(k, setfield: true)
        }
        if errorMeta { ud_out_errormeta(L) }
    }

    private func writeString(_ s: String, setfield: Bool) {
        var s = s
        s.withUTF8 { b in
            b.withMemoryRebound(to: CChar.self) { c in
                if setfield { ud_out_setfield(L, c.baseAddress, c.count) } else { ud_out_str(L, c.baseAddress, c.count) }
            }
        }
    }
}
