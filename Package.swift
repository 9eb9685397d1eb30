// swift-tools-version:6.0
import PackageDescription

// Layers, one-way: CFastCGI → FastCGITransport; PluginAPI → (TokenAuth, LifecycleCore) → (PluginCatalog, LifecycleStore).
// The executable wires transport to API; the core never imports the transport or HTTP.
let package = Package(
    name: "plugin-lifecycle",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "plugin-lifecycle", targets: ["PluginLifecycleCLI"]),
        .library(name: "LifecycleCore", targets: ["LifecycleCore"]),
        // Hostile-input fuzzer over the in-process request path; deploy/lib/faults/fuzz.sh builds and runs it.
        .executable(name: "plugin-api-fuzz", targets: ["PluginAPIFuzz"]),
        // Release-mode timings of the hot path, so a regression shows; deploy/microbench builds and runs it.
        .executable(name: "plugin-lifecycle-microbench", targets: ["HotPathBenchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/vapor/jwt-kit", exact: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto", "4.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
    ],
    targets: [
        .systemLibrary(name: "CFastCGI", path: "Sources/CFastCGI"),
        // libpq (Debian's libpq-dev), for the PostgreSQL store: synchronous, one connection per thread.
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // The Linux calls Swift's Glibc module hides (copy_file_range, FICLONE), for Posix's file copy.
        .target(name: "CPosix"),
        // The one POSIX layer: file trees, the file copy, the system-call error, signals, locks, threads.
        .target(name: "Posix", dependencies: ["CPosix"]),
        // Atomic counters on a shared file mapping (the metrics every worker adds to).
        .target(name: "CSharedCounters"),
        // Request log lines, shared counters, Prometheus text and the pool status view.
        .target(name: "Telemetry", dependencies: ["CSharedCounters", "Posix", .product(name: "Logging", package: "swift-log")]),
        .target(name: "FastCGITransport", dependencies: ["CFastCGI", "Posix", .product(name: "Logging", package: "swift-log")]),
        .target(name: "WorkerSupervisor", dependencies: ["Posix", .product(name: "Logging", package: "swift-log")]),
        // Posix's Locked (a pthread mutex) for caches on the request path: ThreadSanitizer
        // understands it, and reported Synchronization.Mutex's accesses as races.
        .target(name: "TokenAuth", dependencies: [
            "Posix", .product(name: "JWTKit", package: "jwt-kit"), .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "PluginCatalog", dependencies: ["Posix", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "CatalogPublishing", dependencies: ["PluginCatalog", "Posix", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        // GRDB for migrations, writes and most reads; SQLite's C API (GRDBSQLite) and a per-thread
        // connection (Posix's Locked) for the hot routes' reads.
        .target(name: "LifecycleStore", dependencies: [
            "CLibPQ", "Posix", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
            // SHA-256 for migrate-store's ordered checksums.
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "LifecycleCore", dependencies: [
            "LifecycleStore", "PluginCatalog", "Posix",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "LegacyMigration", dependencies: [
            "LifecycleCore", "PluginCatalog", "Posix", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // Operator commands (doctor, backup, restore) as a library, so tests run them in-process.
        .target(name: "Maintenance", dependencies: [
            "LifecycleCore", "LifecycleStore", "PluginCatalog", "CatalogPublishing", "TokenAuth", "Telemetry", "Posix",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The OpenAPI document is a data file compiled into the binary (no bundle to install beside it).
        .target(name: "PluginAPI", dependencies: [
            "LifecycleCore", "TokenAuth", "PluginCatalog", "Telemetry",
            .product(name: "Logging", package: "swift-log"),
        ], resources: [.embedInCode("OpenAPI/openapi.json")]),
        .executableTarget(name: "PluginLifecycleCLI", dependencies: [
            "FastCGITransport", "WorkerSupervisor", "PluginAPI", "LifecycleCore", "CatalogPublishing", "LegacyMigration", "Maintenance",
            "Telemetry", "LifecycleStore", "Posix",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Built plain it replays corpus files; with -DFUZZING and -sanitize=fuzzer,address it is the libFuzzer target.
        .executableTarget(name: "PluginAPIFuzz", dependencies: [
            "PluginAPI", "LifecycleCore", "TokenAuth", .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "HotPathBenchmarks", dependencies: [
            "PluginAPI", "LifecycleCore", "TokenAuth", "PluginCatalog",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The PostgreSQL test server and one schema per test, for the store's, the core's and the CLI's tests.
        .target(name: "StoreTestSupport", dependencies: ["LifecycleStore"], path: "Tests/StoreTestSupport"),
        .testTarget(name: "LifecycleStoreTests", dependencies: ["LifecycleStore", "Posix", "StoreTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "LifecycleCoreTests", dependencies: ["LifecycleCore", "LifecycleStore", "StoreTestSupport", "PluginCatalog", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "PluginAPITests", dependencies: ["PluginAPI", "TokenAuth", "LifecycleCore", "LifecycleStore", "Telemetry", "StoreTestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "TokenAuthTests", dependencies: ["TokenAuth", .product(name: "JWTKit", package: "jwt-kit")]),
        .testTarget(name: "PluginCatalogTests", dependencies: ["PluginCatalog"]),
        .testTarget(name: "LegacyMigrationTests", dependencies: [
            "LegacyMigration", "LifecycleCore", "LifecycleStore", "PluginCatalog", .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "CatalogPublishingTests", dependencies: ["CatalogPublishing", "PluginCatalog", "Posix", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .testTarget(name: "FastCGITransportTests", dependencies: ["FastCGITransport", "Posix"]),
        .testTarget(name: "WorkerSupervisorTests", dependencies: ["WorkerSupervisor", "Posix"]),
        .testTarget(name: "PosixTests", dependencies: ["Posix"]),
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "MaintenanceTests", dependencies: [
            "Maintenance", "LifecycleCore", "LifecycleStore", "StoreTestSupport", "Telemetry", .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "IntegrationTests", dependencies: [
            "PluginLifecycleCLI", "FastCGITransport", "StoreTestSupport", .product(name: "Logging", package: "swift-log"),
        ]),
    ]
)
