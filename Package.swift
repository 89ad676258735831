// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets (Fuzz/, scripts/fuzz) exist only when UNIDESK_FUZZ=1 is in the environment of
// `swift build`: they need sanitizer flags that the normal build, the tests and CI must not get.
let fuzzing = Context.environment["UNIDESK_FUZZ"] == "1"

// Layers (see DESIGN.md): C boundary → LuaRuntime → primitive families (no Lua) →
// UnideskCore (engine, gate, policy, audit, reports, test runner) → UnideskBindings (thin Lua
// bindings of the families) → UnideskREPL → the `unidesk` CLI (flag parsing only).
let package = Package(
    name: "unidesk",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "unidesk", targets: ["unidesk"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // C boundary. Every code path that can raise a Lua error lives in CLuaShim.
        .systemLibrary(name: "CLua", path: "Sources/CLua", providers: [.apt(["liblua5.4-dev"])]),
        // libcurl, libpq, libcrypto and libedit are loaded on first use (CLazyLibs): not linked,
        // only their headers (Debian's libcurl4-openssl-dev, libpq-dev, libssl-dev, libedit-dev)
        // are needed to build.
        .target(name: "CLazyLibs"),
        .target(name: "CCurl", dependencies: ["CLazyLibs"]),
        .target(name: "CCrypto", dependencies: ["CLazyLibs"]),
        .target(name: "CLibPQ", dependencies: ["CLazyLibs"]),
        .target(name: "CEdit", dependencies: ["CLazyLibs"]),
        // Lua is linked from Debian's static archive (Sources/CLua/shim.h says why).
        .target(name: "CLuaShim", dependencies: ["CLua", "CSystem"], linkerSettings: [.linkedLibrary(":liblua5.4.a"), .linkedLibrary("m")]),

        .target(name: "LuaRuntime", dependencies: ["CLua", "CLuaShim", "CSystem"]),

        // Primitive families: typed Swift APIs that know nothing of Lua.
        .target(name: "UnideskData", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "UnideskFiles", dependencies: ["UnideskData"]),
        .target(name: "UnideskHTTP", dependencies: ["CCurl", "CCrypto", "UnideskData", "CSystem"]),
        .target(name: "UnideskRegistry", dependencies: ["UnideskHTTP", "UnideskData"]),
        .target(name: "UnideskPostgres", dependencies: ["CLibPQ", "UnideskData", "CSystem"]),
        .target(name: "CSystem"),
        .target(name: "UnideskProcess", dependencies: ["CSystem"]),
        .target(name: "UnideskCompose", dependencies: ["UnideskProcess", "UnideskData", "CSystem"]),
        .target(name: "UnideskKube", dependencies: ["UnideskHTTP", "UnideskData", "UnideskProcess", "CSystem"]),
        .target(name: "UnideskSnapshot", dependencies: ["UnideskProcess", "UnideskData", "UnideskCompose", "CCrypto", "CSystem"]),
        .target(name: "UnideskNotify", dependencies: ["UnideskData", "UnideskHTTP"]),
        .target(name: "UnideskState", dependencies: ["UnideskData", "UnideskFiles", "UnideskPostgres", "CSystem"]),

        // stdlib/**/*.lua is compiled into UnideskCore at build time (no committed copy).
        .executableTarget(name: "EmbedStdlibGenerator", dependencies: ["CLuaShim"]),
        .plugin(name: "EmbedStdlib", capability: .buildTool(), dependencies: ["EmbedStdlibGenerator"]),
        .target(name: "UnideskCore", dependencies: ["LuaRuntime", "UnideskData", "UnideskFiles", "CSystem", "CCrypto"],
                plugins: ["EmbedStdlib"]),
        .target(name: "UnideskBindings", dependencies: ["UnideskCore", "LuaRuntime", "UnideskData", "UnideskFiles", "UnideskHTTP", "UnideskRegistry", "UnideskPostgres", "UnideskCompose", "UnideskSnapshot", "UnideskKube", "UnideskState", "UnideskNotify"]),

        // The interactive session behind `unidesk repl`, as a library so it is tested
        // without a terminal.
        .target(name: "UnideskREPL", dependencies: ["UnideskCore", "UnideskBindings", "LuaRuntime", "CEdit"]),

        .executableTarget(name: "unidesk", dependencies: [
            "UnideskCore", "UnideskBindings", "UnideskREPL", "UnideskState",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Helpers every test target shares (stack environments, error expectations); a plain
        // library that only test targets depend on.
        .target(name: "UnideskTestSupport", path: "Tests/UnideskTestSupport"),

        .testTarget(name: "LuaRuntimeTests", dependencies: ["UnideskTestSupport", "LuaRuntime", "CLuaShim", "CLua"]),
        .testTarget(name: "UnideskDataTests", dependencies: ["UnideskData"]),
        .testTarget(name: "UnideskHTTPTests", dependencies: ["UnideskHTTP", "CLazyLibs"]),
        .testTarget(name: "UnideskRegistryTests", dependencies: ["UnideskTestSupport", "UnideskRegistry", "UnideskHTTP", "UnideskData"]),
        .testTarget(name: "UnideskPostgresTests", dependencies: ["UnideskTestSupport", "UnideskPostgres", "UnideskData", "UnideskProcess"]),
        .testTarget(name: "UnideskSnapshotTests", dependencies: ["UnideskTestSupport", "UnideskSnapshot", "UnideskCompose", "UnideskData", "UnideskProcess"]),
        .testTarget(name: "UnideskComposeTests", dependencies: ["UnideskCompose"]),
        .testTarget(name: "UnideskStateTests", dependencies: ["UnideskTestSupport", "UnideskState", "UnideskPostgres", "UnideskData", "UnideskProcess"]),
        .testTarget(name: "UnideskKubeTests", dependencies: ["UnideskTestSupport", "UnideskKube", "UnideskData", "UnideskHTTP"]),
        .testTarget(name: "UnideskCoreTests", dependencies: ["UnideskTestSupport", "UnideskCore", "UnideskBindings", "UnideskFiles", "UnideskProcess", "UnideskData",
                                                      "UnideskKube", "UnideskPostgres", "UnideskCompose", "UnideskRegistry", "UnideskState", "UnideskHTTP"]),
        .testTarget(name: "UnideskREPLTests", dependencies: ["UnideskREPL", "UnideskCore", "LuaRuntime"]),
        .testTarget(name: "CLITests", dependencies: ["UnideskTestSupport", "UnideskCore", "UnideskProcess"]),
    ]
)

if fuzzing {
    // Each target is a libFuzzer entry point (`LLVMFuzzerTestOneInput`, no main) over one of
    // unidesk's parsers; scripts/fuzz builds the libraries with coverage and ASan around them.
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("FuzzJSON", ["UnideskData"]),
        ("FuzzLuaJSON", ["LuaRuntime", "UnideskCore", "UnideskData"]),
        ("FuzzYAML", ["UnideskData"]),
        ("FuzzImageReference", ["UnideskRegistry"]),
        ("FuzzChallenge", ["UnideskRegistry"]),
        ("FuzzDockerConfig", ["UnideskRegistry", "UnideskData"]),
        ("FuzzKubeConfig", ["UnideskKube", "UnideskData"]),
        ("FuzzConnInfo", ["UnideskPostgres"]),
        ("FuzzSQLScript", ["UnideskPostgres"]),
        ("FuzzTarScanner", ["UnideskSnapshot"]),
        ("FuzzCapabilityPattern", ["UnideskCore"]),
        ("FuzzLuaValue", ["LuaRuntime", "UnideskCore", "UnideskData"]),
    ]
    package.targets.append(.target(name: "FuzzDriver", path: "Fuzz/Driver"))
    package.targets.append(.target(name: "FuzzSupport", dependencies: ["FuzzDriver", "UnideskData"], path: "Fuzz/Support"))
    for target in fuzzTargets {
        package.targets.append(.executableTarget(
            name: target.name, dependencies: ["FuzzSupport"] + target.dependencies,
            path: "Fuzz/\(target.name.dropFirst("Fuzz".count))"))
    }
}
