// swift-tools-version:6.0
import PackageDescription

// Dependencies run one way, down (README.md, "Architecture", lists every target's):
//   surgtop, SurgtopFuzz → Console → Terminal → View → YAMLFiles, SessionCore → Telemetry → SystemCalls
//   Console → TelemetrySources (SwiftNIO, zlib, Simulator, Interop) → SessionCore → Telemetry → SystemCalls
//   Interop → MCAP (zstd), YAMLFiles, Simulator (the dVRK arm definitions), SessionCore (RecordingClock) → Telemetry
// View and Terminal link neither TelemetrySources nor SwiftNIO. Data flows the other way: bytes
// (TelemetrySources) → frames (Telemetry) → state (SessionCore) → cells (View) → tty (Terminal).
// Linux only (README.md, "Set up and run"): SystemCalls, the one file that calls the C library, is Glibc's.
let package = Package(
    name: "surgtop",
    products: [
        .executable(name: "surgtop", targets: ["surgtop"]),
        .executable(name: "surgtop-fuzz-wire", targets: ["surgtop-fuzz-wire"]),
        .executable(name: "surgtop-fuzz-settings", targets: ["surgtop-fuzz-settings"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.70.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        // Session percentiles (report, link panel) in constant memory with a bounded error.
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // Every call into the C library (files, clocks, signals, threads, memchr, libm), EINTR retried once.
        .target(name: "SystemCalls"),
        // The wire format alone: frame types, the byte-level NDJSON decoder, the encoder.
        .target(name: "Telemetry", dependencies: ["SystemCalls"]),
        // Pure session state, the reducer, bounded history, the report and its text, and what is
        // known of a source (SessionMode, SourceState). No Foundation.
        .target(name: "SessionCore", dependencies: [
            "Telemetry", "SystemCalls",
            .product(name: "Collections", package: "swift-collections"),
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        // The built-in simulator: a seeded, deterministic scripted session.
        .target(name: "Simulator", dependencies: ["Telemetry", "SystemCalls"]),
        // zlib from the system, for .ndjson.gz recordings.
        .target(name: "CZlib", linkerSettings: [.linkedLibrary("z")]),
        // zstd from the system (libzstd-dev), for MCAP chunks.
        .systemLibrary(name: "CZstd", providers: [.apt(["libzstd-dev"])]),
        // The MCAP container (mcap.dev/spec): chunked, indexed writer and reader. Depends on nothing else of
        // surgtop but the system's zstd and zlib (crc32).
        // zlib only for its crc32 (MCAP's polynomial), faster than a table in Swift.
        .target(name: "MCAP", dependencies: ["CZstd", "CZlib"]),
        // Recordings in other formats, read as NDJSON lines and written from them: surgtop's own MCAP
        // channels, ROS 2 bags in MCAP (CDR, dVRK topic names), JIGSAWS kinematics.
        .target(name: "Interop", dependencies: [
            "MCAP", "Telemetry", "Simulator", "YAMLFiles", "SystemCalls",
            // RecordingClock: `started_at`, the log time of a surgtop MCAP file.
            "SessionCore",
            .product(name: "Yams", package: "Yams"),
        ]),
        // Where frames come from: file, stdin, TCP client/listener, simulator; recordings read and written.
        .target(name: "TelemetrySources", dependencies: [
            "Telemetry", "SessionCore", "Simulator", "Interop", "CZlib", "SystemCalls",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // Reading YAML settings files (layouts, alarm settings) with errors that name file and line.
        .target(name: "YAMLFiles", dependencies: ["Telemetry", "SystemCalls", .product(name: "Yams", package: "Yams")]),
        // Pure rendering: cell buffer, widgets, panels, layouts (YAML). No terminal I/O, no files.
        .target(name: "View", dependencies: [
            "Telemetry", "SessionCore", "YAMLFiles",
            .product(name: "Yams", package: "Yams"),
        ]),
        // The ncurses wide-character API, wrapped for Swift (macros become inline functions).
        .target(name: "CCurses", linkerSettings: [.linkedLibrary("ncursesw")]),
        // The only code that touches the tty: presents a CellBuffer, reads keys and resizes.
        .target(name: "Terminal", dependencies: ["CCurses", "View"]),
        // The loop: source events, keys and ticks → session state → view → terminal.
        .target(name: "Console", dependencies: [
            "Telemetry", "SessionCore", "TelemetrySources", "Simulator", "View", "Terminal", "YAMLFiles", "SystemCalls",
            .product(name: "Yams", package: "Yams"),
            // The source log kept for the screen is a Deque.
            .product(name: "Collections", package: "swift-collections"),
            // Headless runs log through swift-log: levels and timestamps for service managers.
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "surgtop", dependencies: [
            "Telemetry", "SessionCore", "TelemetrySources", "Simulator", "View", "Console", "SystemCalls", "Interop", "MCAP",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Measurements for the README: decoder throughput, memory over a long session, frame cost.
        .executableTarget(name: "surgtop-bench", dependencies: [
            "Telemetry", "SessionCore", "Simulator", "TelemetrySources", "View", "Console", "SystemCalls", "Interop", "MCAP",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Fuzz targets (scripts/fuzz builds them with libFuzzer; a normal build makes corpus replayers).
        // What one input does lives in SurgtopFuzz, which every build compiles.
        .target(name: "SurgtopFuzz", dependencies: [
            "Telemetry", "SessionCore", "TelemetrySources", "View", "Terminal", "Console", "YAMLFiles", "SystemCalls", "Simulator",
        ]),
        .executableTarget(name: "surgtop-fuzz-wire", dependencies: ["SurgtopFuzz"]),
        .executableTarget(name: "surgtop-fuzz-settings", dependencies: ["SurgtopFuzz"]),
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry"]),
        .testTarget(name: "MCAPTests", dependencies: ["MCAP"], exclude: ["mcap_check.py"]),
        .testTarget(name: "InteropTests", dependencies: [
            "Interop", "MCAP", "Telemetry", "SessionCore", "TelemetrySources", "Simulator",
        ], exclude: ["Fixtures", "check_surgtop_mcap.py"]),  // Fixtures: read by path (#filePath), as generated test data
        .testTarget(name: "SessionCoreTests", dependencies: ["SessionCore", "Telemetry", "Simulator"]),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator", "Telemetry"]),
        .testTarget(name: "TelemetrySourcesTests", dependencies: [
            "TelemetrySources", "Telemetry", "SessionCore", "Simulator",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            // The line framing and the handshake deadline, tested on EmbeddedChannel.
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "ViewTests", dependencies: ["View", "SessionCore", "Telemetry"]),
        .testTarget(name: "ConsoleTests", dependencies: ["Console", "View", "SessionCore", "Telemetry", "TelemetrySources", "Simulator"]),
        .testTarget(name: "FuzzCorpusTests", dependencies: ["SurgtopFuzz"]),
        .testTarget(name: "CLITests", dependencies: ["surgtop", "Telemetry"]),
        .testTarget(name: "ScenarioTests", dependencies: [
            "YAMLFiles", "Simulator", "Console", "SessionCore", "Telemetry", "TelemetrySources",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
