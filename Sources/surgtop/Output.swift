#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Plain output helpers for the command line.
enum Output {
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
