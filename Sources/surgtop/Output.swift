import Foundation
import TelemetrySources

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Plain output helpers for the command line.
enum Output {
    /// Prints `value` as JSON with snake_case keys in sorted order (the stable `--json` forms).
    static func json<T: Encodable>(_ value: T, pretty: Bool = false) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
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
        let line = text.hasSuffix("\n") ? text : text + "\n"
        line.withCString { p in _ = write(2, p, strlen(p)) }
    }
}

func terminate(_ code: Int32) -> Never {
    fflush(nil)
    exit(code)
}
