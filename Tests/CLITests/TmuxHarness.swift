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
        // The server daemonises with our descriptors: give it none of our pipes, or reads never end.
        try run(["-f", "/dev/null", "new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)", wrapped], capture: false)
    }

    deinit {
        _ = try? run(["kill-server"], capture: false)
    }

    /// Runs a tmux command through the shell (`system` waits for it and reaps it; the tmux
    /// server it may start daemonises and keeps none of our descriptors).
    @discardableResult
    func run(_ arguments: [String], capture: Bool = true) throws -> String {
        func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-\(socket)-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let term = ProcessInfo.processInfo.environment["TERM"].flatMap { $0.isEmpty || $0 == "dumb" ? nil : $0 } ?? "xterm-256color"
        let line = "TERM=\(term) TMUX= tmux -L \(socket) " + arguments.map(quote).joined(separator: " ")
            + " </dev/null >\(quote(capture ? output : "/dev/null")) 2>/dev/null"
        _ = system(line)
        return capture ? ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "") : ""
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
