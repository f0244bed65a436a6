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
          surgtop convert s.ndjson s.mcap write it for Foxglove or PlotJuggler

        Exit codes: 0 success; 1 the input had errors or the session could not go on; \
        2 usage or I/O errors (bad arguments, missing file, port in use).
        """,
        version: SurgtopVersion.text,
        subcommands: [Demo.self, Live.self, Replay.self, Sim.self, Check.self, Report.self, Convert.self, Layouts.self],
        defaultSubcommand: Demo.self
    )

    /// Runs the command, mapping every failure to the documented exit codes and one line
    /// `surgtop: <sentence>` on stderr, without a stack trace.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let mistake = CommandLineMistakes.beforeParsing(arguments) {
            Output.error(mistake)
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
            // Argument errors (EX_USAGE, 64) are usage errors: exit 2, as scripts expect. Their
            // usage and "See …" lines are left out: one sentence, and `--help` has the rest.
            let usage = code == .validationFailure
            let message = (usage ? CommandLineMistakes.afterFailure(arguments) ?? CommandLineMistakes.unknownOption(arguments) : nil)
                ?? CommandLineMistakes.oneLine(message(for: error))
            if !message.isEmpty { Output.error(message) }
            SystemCalls.exit(usage ? 2 : code.rawValue)
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
