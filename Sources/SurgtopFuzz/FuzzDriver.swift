import SystemCalls

/// The `main` of a fuzz executable.
///
/// Built by `scripts/fuzz` (`-DFUZZING -sanitize=fuzzer,address`), it hands control to
/// libFuzzer. SwiftPM on Linux links an executable with `--defsym main=<module>_main`, so the
/// module's own entry point is `main` even when libFuzzer's runtime (linked whole) brings its
/// own: the entry point therefore starts libFuzzer itself, through `LLVMFuzzerRunDriver`, with
/// every libFuzzer flag and directory given on the command line.
///
/// In a normal build it is a corpus replayer: it runs the target over every file given, or
/// every file in a directory given, without any sanitizer, printing each file before running
/// it so that a crash names its input. `--all` also runs each input over every mode, layout and
/// size (the wire target).
public enum FuzzDriver {
    public typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

    /// - Parameters:
    ///   - all: what `--all` runs on each input besides `testOneInput`.
    ///   - show: what `--print` prints for each input.
    public static func main(name: String, testOneInput: TestOneInput, all: ((UnsafeRawBufferPointer) -> Void)? = nil,
                            show: ((UnsafeRawBufferPointer) -> String)? = nil) -> Never {
        #if FUZZING
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        SystemCalls.exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
        #else
        SystemCalls.exit(replay(name: name, arguments: Array(CommandLine.arguments.dropFirst()), testOneInput: testOneInput,
                    all: all, show: show))
        #endif
    }

    /// Runs the target over the files and directories in `arguments`; returns the exit code.
    static func replay(name: String, arguments: [String], testOneInput: TestOneInput,
                       all: ((UnsafeRawBufferPointer) -> Void)?, show: ((UnsafeRawBufferPointer) -> String)?) -> Int32 {
        var everyScreen = false
        var printing = false
        var quiet = false
        var paths: [String] = []
        for argument in arguments {
            switch argument {
            case "-h", "--help":
                print("""
                usage: \(name) [--all] [--quiet] FILE|DIRECTORY...
                Runs the fuzz target over each file (each file of each directory), without a sanitizer:
                a crashing input crashes this process too, after its path is printed.
                  --all    also run each input in every mode, layout and size (wire target)
                  --print  print what each input ends on (wire target: the screen)
                  --quiet  print only the summary
                Built with scripts/fuzz, the same target is a libFuzzer binary instead.
                """)
                return 0
            case "--all": everyScreen = true
            case "--quiet", "-q": quiet = true
            case "--print": printing = true
            default:
                if argument.hasPrefix("-") {
                    continue  // a libFuzzer flag, meaningless here
                }
                paths.append(argument)
            }
        }
        guard !paths.isEmpty else {
            writeError("\(name): give the files or directories to replay (--help)")
            return 2
        }
        var files: [String] = []
        for path in paths {
            guard let found = filesIn(path) else {
                writeError("\(name): cannot read \(path)")
                return 2
            }
            files += found
        }
        let start = now()
        for file in files {
            guard let bytes = readFile(file) else {
                writeError("\(name): cannot read \(file)")
                return 2
            }
            if !quiet { writeError("running \(file) (\(bytes.count) bytes)") }
            bytes.withUnsafeBufferPointer { buffer in
                _ = testOneInput(buffer.baseAddress, buffer.count)
            }
            if printing, let show {
                print(bytes.withUnsafeBytes { show($0) })
            }
            if everyScreen, let all {
                bytes.withUnsafeBytes { all($0) }
            }
        }
        let seconds = now() - start
        print("\(name): \(files.count) inputs replayed without a crash in \((seconds * 100).rounded() / 100) s")
        return 0
    }

    /// The regular files at `path`: itself, or the files under it (recursively, sorted).
    static func filesIn(_ path: String) -> [String]? {
        guard let status = try? SystemCalls.status(path: path) else { return nil }
        if status.kind != .directory { return [path] }
        guard let names = try? SystemCalls.directoryEntries(path) else { return nil }
        var out: [String] = []
        for name in names {
            if name.hasPrefix(".") { continue }
            guard let inner = filesIn(path + "/" + name) else { continue }
            out += inner
        }
        return out.sorted()
    }

    static func readFile(_ path: String) -> [UInt8]? {
        try? SystemCalls.readFile(path)
    }

    static func writeError(_ line: String) {
        SystemCalls.writeStandardError(line)
    }

    static func now() -> Double {
        SystemCalls.monotonicSeconds()
    }
}

#if FUZZING
/// libFuzzer's entry point for a program that has its own `main` (compiler-rt, FuzzerDriver.cpp).
/// Declared by its symbol: it takes only pointers and returns an int, which the Swift calling
/// convention passes exactly as C does on the platforms this runs on.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ testOneInput: FuzzDriver.TestOneInput) -> Int32
#endif
