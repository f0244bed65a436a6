/// Why a line is not valid JSON, or not a valid frame.
struct ScanError: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// A byte-level RFC 8259 scanner over one line. It validates as it goes
/// (number grammar, string escapes, UTF-8, nesting) and hands typed values to
/// the frame decoder without building an intermediate tree.
struct JSONScanner {
    let base: UnsafePointer<UInt8>
    let count: Int
    var i = 0
    /// Nesting limit for skipped values, so a hostile line cannot exhaust the stack.
    static let maxDepth = 512

    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
    }

    @inline(__always) var atEnd: Bool { i >= count }

    @inline(__always) func peek() -> UInt8 {
        i < count ? base[i] : 0
    }

    @inline(__always) mutating func skipWhitespace() {
        while i < count {
            let c = base[i]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { i += 1 } else { return }
        }
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(ScanError) {
        skipWhitespace()
        guard i < count, base[i] == byte else { throw unexpected(expecting: what) }
        i += 1
    }

    func unexpected(expecting what: String) -> ScanError {
        if i >= count { return ScanError("unexpected end of line, expected \(what)") }
        let c = base[i]
        let shown = (c >= 0x20 && c < 0x7F) ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x\(String(c, radix: 16))"
        return ScanError("unexpected \(shown) at column \(i + 1), expected \(what)")
    }

    // MARK: literals and skipping

    mutating func scanBool() throws(ScanError) -> Bool {
        skipWhitespace()
        if matchLiteral("true") { return true }
        if matchLiteral("false") { return false }
        throw unexpected(expecting: "true or false")
    }

    @inline(__always) mutating func matchLiteral(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard i + n <= count, bytes(at: i, equal: literal) else { return false }
        i += n
        return true
    }

    /// Whether the line holds `literal` at `position` (its bytes must lie within the line).
    @inline(__always) func bytes(at position: Int, equal literal: StaticString) -> Bool {
        let p = literal.utf8Start
        for k in 0..<literal.utf8CodeUnitCount where base[position + k] != p[k] { return false }
        return true
    }

    /// The JSON type of the value at the cursor, for error messages and dispatch.
    enum ValueKind: String {
        case object, array, string, number, boolean, null
    }

    mutating func peekKind() throws(ScanError) -> ValueKind {
        skipWhitespace()
        guard i < count else { throw ScanError("unexpected end of line, expected a value") }
        switch base[i] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .boolean
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), 0x30...0x39: return .number
        default: throw unexpected(expecting: "a value")
        }
    }

    /// Validates and skips any value, nested or not.
    mutating func skipValue(depth: Int = 0) throws(ScanError) {
        guard depth < Self.maxDepth else { throw ScanError("nesting deeper than \(Self.maxDepth) levels") }
        switch try peekKind() {
        case .object:
            i += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "}") {
                i += 1
                return
            }
            while true {
                _ = try scanString()
                try expect(UInt8(ascii: ":"), "':'")
                try skipValue(depth: depth + 1)
                skipWhitespace()
                if peek() == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                try expect(UInt8(ascii: "}"), "',' or '}'")
                return
            }
        case .array:
            i += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "]") {
                i += 1
                return
            }
            while true {
                try skipValue(depth: depth + 1)
                skipWhitespace()
                if peek() == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                try expect(UInt8(ascii: "]"), "',' or ']'")
                return
            }
        case .string: _ = try scanString()
        case .number: _ = try scanNumberUnchecked()  // the one number grammar; its value unused
        case .boolean: _ = try scanBool()
        case .null:
            guard matchLiteral("null") else { throw unexpected(expecting: "null") }
        }
    }
}
