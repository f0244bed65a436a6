import Foundation
import SystemCalls
import Telemetry
import TelemetrySources

/// Plain output helpers for the command line.
enum Output {
    /// Prints `value` as JSON with snake_case keys in sorted order (the stable `--json` forms).
    static func json<T: Encodable>(_ value: T, pretty: Bool = false) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        print(JSONText.escapingInvisibles(String(decoding: try encoder.encode(value), as: UTF8.self)))
    }

    /// Prints text for a person: every line through the sanitiser the screen uses, so no file
    /// name, error or value from a recording can drive the terminal.
    static func text(_ text: String) {
        print(WireText.sanitizeLines(text))
    }

    /// Opens a recording named on the command line; failing to is an I/O error (exit 2).
    static func openRecording(_ path: String) throws -> RecordingReader {
        do {
            return try RecordingReader(path: path)
        } catch {
            throw Failure.io(error.description)
        }
    }

    static func error(_ message: String) {
        let text = message.hasPrefix("surgtop:") || message.hasPrefix("Error:") || message.hasPrefix("Usage:")
            ? message : "surgtop: \(message)"
        SystemCalls.writeStandardError(WireText.sanitizeLines(text.hasSuffix("\n") ? String(text.dropLast()) : text))
    }
}
