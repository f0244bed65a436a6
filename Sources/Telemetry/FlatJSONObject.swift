/// One line holding a flat JSON object, read with the frame decoder's validating scanner: for
/// the console's own small files (the bookmark sidecar) that are not telemetry frames.
public enum FlatJSONObject {
    /// A top-level member's value; nested objects and arrays are validated and skipped.
    public enum Value: Sendable, Equatable {
        case number(Double)
        case string(String)
        case bool(Bool)
        case null
        case nested
    }

    /// The members of the object on `line` (a later duplicate key wins), or why it is not one.
    public static func parse(_ line: [UInt8]) -> Result<[String: Value], FlatJSONError> {
        line.withUnsafeBufferPointer { buffer -> Result<[String: Value], FlatJSONError> in
            guard let base = buffer.baseAddress else { return .failure(FlatJSONError("an empty line, expected an object")) }
            var scanner = JSONScanner(base: base, count: buffer.count)
            do throws(ScanError) {
                let members = try object(&scanner)
                scanner.skipWhitespace()
                guard scanner.atEnd else { throw scanner.unexpected(expecting: "the end of the line") }
                return .success(members)
            } catch {
                return .failure(FlatJSONError(error.reason))
            }
        }
    }

    private static func object(_ scanner: inout JSONScanner) throws(ScanError) -> [String: Value] {
        try scanner.expect(UInt8(ascii: "{"), "'{'")
        var members: [String: Value] = [:]
        scanner.skipWhitespace()
        if scanner.peek() == UInt8(ascii: "}") {
            scanner.i += 1
            return members
        }
        while true {
            let key = scanner.text(try scanner.scanString())
            try scanner.expect(UInt8(ascii: ":"), "':'")
            switch try scanner.peekKind() {
            case .number: members[key] = .number(try scanner.scanNumber())
            case .string: members[key] = .string(scanner.text(try scanner.scanString()))
            case .boolean: members[key] = .bool(try scanner.scanBool())
            case .null, .object, .array:
                let null = try scanner.peekKind() == .null
                try scanner.skipValue()
                members[key] = null ? .null : .nested
            }
            scanner.skipWhitespace()
            if scanner.peek() == UInt8(ascii: ",") {
                scanner.i += 1
                continue
            }
            try scanner.expect(UInt8(ascii: "}"), "',' or '}'")
            return members
        }
    }
}

/// Why a line is not a flat JSON object, as the scanner says it.
public struct FlatJSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
