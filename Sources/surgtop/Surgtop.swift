import ArgumentParser
import SystemCalls

/// The root command. With no subcommand it runs the demo: the first thing a newcomer types.
@main
struct Surgtop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "surgtop",
        abstract: "A terminal console for watching remote (teleoperated) surgery sessions.",
        discussion: """
        surgtop reads telemetry from a telesurgery robot's gateway, a recording, standard input \
        or its built-in simulator, and shows link quality, arm and joint state, instruments, \
        alarms and events. It only reads: it never sends anything to the robot.

        Start here:
          surgtop                         run the demo (simulated, marked DEMO)
          surgtop replay session.ndjson   replay a recording
          surgtop live 10.0.0.5:7000      watch a live session from its gateway
          surgtop check session.ndjson    validate a recording
          surgtop report session.ndjson   summarise a recording

        Exit codes: 0 success; 1 the input had errors or the session could not go on; \
        2 usage or I/O errors (bad arguments, missing file, port in use).
        """,
        version: SurgtopVersion.text,
        subcommands: [Demo.self, Live.self, Replay.self, Sim.self, Check.self, Report.self, Layouts.self],
        defaultSubcommand: Demo.self
    )

    /// The words that name a command (`help` is argument-parser's own).
    static var commandNames: [String] {
        configuration.subcommands.map { $0._commandName } + ["help"]
    }

    /// The one sentence for a first word that names no command, or nil. Without this check the
    /// word would reach the default command (`demo`), which only says it has no such argument.
    static func unknownCommand(in arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), !commandNames.contains(first) else { return nil }
        let known = commandNames.dropLast().joined(separator: ", ")
        return "unknown command '\(first)': the commands are \(known) (see surgtop --help)"
    }

    /// Runs the command, mapping every failure to the documented exit codes without a stack trace.
    static func main() {
        if let unknown = unknownCommand(in: Array(CommandLine.arguments.dropFirst())) {
            Output.error(unknown)
            SystemCalls.exit(2)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as Failure {
            Output.error(failure.message)
            SystemCalls.exit(failure.code)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)  // --help, --version
            }
            let message = fullMessage(for: error)
            if !message.isEmpty { Output.error(message) }
            // Argument errors (EX_USAGE, 64) are usage errors: exit 2, as scripts expect.
            SystemCalls.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// A failure with one clear sentence for a person and an exit code for a script.
struct Failure: Error {
    var message: String
    var code: Int32

    static func usage(_ message: String) -> Failure { Failure(message: message, code: 2) }
    static func io(_ message: String) -> Failure { Failure(message: message, code: 2) }
}
