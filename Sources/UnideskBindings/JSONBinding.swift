import LuaRuntime
import UnideskCore
import UnideskData

/// `require "unidesk.json"`: encode and decode with a null sentinel and stable key order.
public enum JSONBinding {
    static let encode = PrimitiveSpec(
        module: "json", name: "encode", summary: "Encodes a Lua value as JSON. Object keys are sorted (stable output); a sequence becomes an array; an empty table becomes {}; `json.null` becomes null. Secrets, functions and NaN are refused, and so is a string that is not valid UTF-8 (JSON is text), naming where it is, unless `invalid_utf8` says what to do with it.",
        params: [Param("value", .any, "table, string, number, boolean or json.null"),
                 Param("options", .record([Param("pretty", .boolean, optional: true, "indent with two spaces"),
                                           Param("invalid_utf8", .string, optional: true, "\"error\" (default), \"escape\" (each byte that is not UTF-8 becomes the character U+00NN, its Latin-1 reading; json.decode gives that character back, not the byte) or \"replace\" (U+FFFD)")]), optional: true, "")],
        returns: [("string", "json", "")],
        errors: ["raises bad argument for values JSON cannot represent (secrets, functions, mixed tables, NaN, strings that are not UTF-8: `value.env.TOKEN: not valid UTF-8 (byte 0xFF at offset 3)`)"],
        example: #"local text = json.encode({ name = "x", tags = { "a", "b" } })"#)
    static let decode = PrimitiveSpec(
        module: "json", name: "decode", summary: "Decodes JSON text. null becomes `json.null` (a value, unlike nil), integers stay integers.",
        params: [Param("text", .string, "JSON text")],
        returns: [("any", "value", "")],
        errors: ["raises kind=invalid with line and column for malformed JSON"],
        example: #"local desired = json.decode(fs.read("desired.json"))"#)
    static let null = PrimitiveSpec.value(
        module: "json", name: "null", type: "userdata",
        summary: "The null sentinel (the same value as unidesk.null): JSON null decodes to it and it encodes to null; compare with `v == json.null`.",
        example: #"local body = json.encode({ tag = json.null })   -- {"tag":null}"#)

    public static let library = HostLibrary(
        name: "json", summary: "JSON encode/decode with a null sentinel and stable key order.",
        specs: [encode, decode, null]
    ) { ctx in
        [
            // Lua calls the C encoder (json_encode.c) first; this body encodes what it hands
            // over: every error (secrets, functions, NaN, mixed tables, invalid UTF-8 under
            // "error", nesting, wrong options) and the rare float C cannot write exactly.
            ctx.function(encode) { args in
                let options = try args.optionalTable(1)
                let pretty = options?.bool("pretty", default: false) ?? false
                var encoding = LuaData.Encoding.strict
                switch options?["invalid_utf8"].stringValue {
                case nil, "error"?: break
                case "escape"?: encoding.invalidUTF8 = .latin1
                case "replace"?: encoding.invalidUTF8 = .replace
                case let other?: throw HostError.argument(2, "invalid_utf8: \"error\", \"escape\" or \"replace\" expected, got \"\(other)\"")
                }
                do {
                    let data = try LuaData.toData(args.value(0), encoding)
                    return [.string(try JSON.encode(data, options: .init(pretty: pretty, sortKeys: true)))]
                } catch let e as LuaData.ConversionError {
                    throw HostError.argument(1, e.description)
                } catch {
                    throw HostError.argument(1, "\(error)")
                }
            }.with(fastPath: .jsonEncode),
            // Lua calls the C decoder (json.c) first; this body decodes what it hands over:
            // malformed JSON (the error), invalid UTF-8, a wrong argument.
            ctx.function(decode) { args in
                do { return [LuaData.toLua(try JSON.decode(try args.string(0)))] } catch let e as DataCodecError {
                    throw invalid("json.decode", e)
                }
            }.with(fastPath: .jsonDecode),
        ]
    }
}

/// `require "unidesk.yaml"`: YAML decode/encode, multi-document aware.
public enum YAMLBinding {
    static let decode = PrimitiveSpec(
        module: "yaml", name: "decode", summary: "Decodes one YAML document (core schema: only true/false are booleans). null becomes `yaml.null`. Use decode_all for a stream with several documents.",
        params: [Param("text", .string, "YAML text")],
        returns: [("any", "value", "")],
        errors: ["raises kind=invalid with line and column for malformed YAML or several documents"],
        example: """
        local doc = yaml.decode(fs.read("compose.yaml"))
        print(doc.services.web.image)
        """)
    static let decodeAll = PrimitiveSpec(
        module: "yaml", name: "decode_all", summary: "Decodes every document of a multi-document YAML stream (`---` separated); empty documents are skipped.",
        params: [Param("text", .string, "YAML text")],
        returns: [("any[]", "documents", "")],
        example: #"for _, obj in ipairs(yaml.decode_all(fs.read("manifests.yaml"))) do print(obj.kind, obj.metadata.name) end"#)
    static let encode = PrimitiveSpec(
        module: "yaml", name: "encode", summary: "Encodes a value as a YAML document (block style, keys sorted). Strings that would read back as another type are quoted.",
        params: [Param("value", .any, "")],
        returns: [("string", "yaml", "")],
        example: """
        local ref = "127.0.0.1:5000/unidesk/app:1.4.2"
        print(yaml.encode({ services = { web = { image = ref } } }))
        """)
    static let encodeAll = PrimitiveSpec(
        module: "yaml", name: "encode_all", summary: "Encodes a list of values as a multi-document YAML stream.",
        params: [Param("documents", .array(.any), "")],
        returns: [("string", "yaml", "")])
    static let null = PrimitiveSpec.value(
        module: "yaml", name: "null", type: "userdata",
        summary: "The null sentinel (the same value as unidesk.null and json.null): YAML null decodes to it and it encodes to null.",
        example: #"print(yaml.encode({ tag = yaml.null }))   -- tag: null"#)

    public static let library = HostLibrary(
        name: "yaml", summary: "YAML decode/encode (multi-document).",
        specs: [decode, decodeAll, encode, encodeAll, null]
    ) { ctx in
        func data(_ v: LuaValue, _ n: Int) throws -> DataValue {
            do { return try LuaData.toData(v) } catch { throw HostError.argument(n, error.description) }
        }
        return [
            ctx.function(decode) { args in
                do { return [LuaData.toLua(try YAML.decode(try args.string(0), severalHint: "use yaml.decode_all for a multi-document stream"))] } catch let e as DataCodecError { throw invalid("yaml", e) }
            },
            ctx.function(decodeAll) { args in
                do { return [.table(LuaTable(array: try YAML.decodeAll(try args.string(0)).map(LuaData.toLua)))] } catch let e as DataCodecError { throw invalid("yaml", e) }
            },
            ctx.function(encode) { args in
                do { return [.string(try YAML.encode(try data(args.value(0), 1)))] } catch let e as DataCodecError { throw HostError.argument(1, e.message) }
            },
            ctx.function(encodeAll) { args in
                let docs = try (try args.table(0)).array.map { try data($0, 1) }
                do { return [.string(try YAML.encodeAll(docs))] } catch let e as DataCodecError { throw HostError.argument(1, e.message) }
            },
        ]
    }
}

/// A decode failure as the recipe sees it: kind=invalid with the position.
func invalid(_ what: String, _ e: DataCodecError) -> HostError {
    let line: LuaValue = e.line.map { .int(Int64($0)) } ?? .nil
    let column: LuaValue = e.column.map { .int(Int64($0)) } ?? .nil
    return .structured(kind: "invalid", message: "\(what): \(e.message)", fields: [("line", line), ("column", column)])
}
