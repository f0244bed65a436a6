import Foundation
import Testing

/// The real binary in a real terminal: a private tmux server per test (its own socket),
/// with send-keys to type and capture-pane to read the screen.
final class TmuxSession {
    let socket = "surgtop-test-\(UUID().uuidString.prefix(8))"
    let name = "s"

    /// Starts `command` (a shell command line) in a detached session of the given size.
    /// The shell prints EXIT=<status> when the program ends, then lingers so it can be read.
    init(width: Int, height: Int, command: String) throws {
        let wrapped = "\(command); echo EXIT=$?; sleep 120"
        try run(["-f", "/dev/null", "new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)", wrapped])
    }

    deinit {
        _ = try? run(["kill-server"])
    }

    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tmux", "-L", socket] + arguments
        var env = ProcessInfo.processInfo.environment
        env["TERM"] = env["TERM"].flatMap { $0.isEmpty || $0 == "dumb" ? nil : $0 } ?? "xterm-256color"
        env.removeValue(forKey: "TMUX")
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// The screen as text.
    func capture() -> String {
        (try? run(["capture-pane", "-t", name, "-p"])) ?? ""
    }

    func send(_ keys: String...) {
        _ = try? run(["send-keys", "-t", name] + keys)
    }

    func resize(width: Int, height: Int) {
        _ = try? run(["resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
    }

    /// Polls the screen until `predicate` holds or `timeout` passes; returns the last screen.
    @discardableResult
    func waitFor(timeout: Double = 10, _ predicate: (String) -> Bool) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = capture()
        while !predicate(screen) && Date() < deadline {
            usleep(100_000)
            screen = capture()
        }
        return screen
    }

    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/tmux")
    }
}
