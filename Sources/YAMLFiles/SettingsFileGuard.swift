#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The checks a settings file passes before its text reaches the YAML parser, whose
/// recursion would overflow the stack on a deeply nested file (a 10 KB file of 5,000 nested
/// `[` crashed every start) and whose aliases could expand a small file into billions of
/// nodes. A settings file that fails one is refused with its file, line and problem.
public enum SettingsFileGuard {
    /// Largest settings file read, in bytes. Layouts and alarm settings are a few KB.
    public static let maxBytes = 1 << 20
    /// Deepest nesting of mappings and lists accepted. Shipped layouts nest 6 deep.
    public static let maxDepth = 64

    /// The text of the settings file at `path`: a regular file (not a directory, FIFO or
    /// device, which could block or never end) of at most `maxBytes`, in UTF-8.
    public static func readText(path: String) throws(FileProblem) -> String {
        // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            throw FileProblem(file: path, problem: errno == ENOENT ? "no such file" : "cannot open: \(errnoText())")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileProblem(file: path, problem: "cannot read: \(errnoText())") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw FileProblem(file: path, problem: "not a regular file")
        }
        guard info.st_size <= off_t(maxBytes) else {
            throw FileProblem(file: path, problem: "too large for a settings file (\(info.st_size) bytes; at most 1 MiB)")
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw FileProblem(file: path, problem: "cannot read: \(errnoText())")
            }
            if n == 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
            // The file may have grown since fstat.
            if bytes.count > maxBytes { throw FileProblem(file: path, problem: "too large for a settings file (over 1 MiB)") }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw FileProblem(file: path, problem: "not UTF-8 text")
        }
        return text
    }

    /// Refuses YAML text nested deeper than `maxDepth`, or using aliases (`*name`), before it
    /// is parsed. The depth counted is an upper bound on what the parser would build: every
    /// indentation level counts twice (a mapping and a list can share one), every `- ` and
    /// `? ` on a line once, and every open `[` or `{` once, so no file that passes can nest
    /// deeper. Block scalars (`|`, `>`) and quoted text are skipped.
    public static func checkShape(_ yaml: String, file: String) throws(FileProblem) {
        if yaml.utf8.count > maxBytes {
            throw FileProblem(file: file, problem: "too large for a settings file (over 1 MiB)")
        }
        var scanner = ShapeScanner()
        var lineNumber = 0
        for line in yaml.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if let problem = scanner.scan(line: Array(line)) {
                throw FileProblem(file: file, line: lineNumber, problem: problem)
            }
        }
    }

    static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}

/// The line-by-line state of `SettingsFileGuard.checkShape`.
struct ShapeScanner {
    private var indents: [Int] = []
    private var flow = 0
    /// Depth of the block structure where the current flow collection started.
    private var flowBase = 0
    private var quote: UInt8?
    /// Inside a block scalar: lines indented more than this belong to it.
    private var blockScalarParent: Int?

    private static let space = UInt8(ascii: " "), dash = UInt8(ascii: "-"), question = UInt8(ascii: "?")
    private static let colon = UInt8(ascii: ":"), hash = UInt8(ascii: "#"), comma = UInt8(ascii: ",")

    mutating func scan(line raw: [UInt8]) -> String? {
        var line = raw
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        let indent = line.prefix { $0 == Self.space }.count
        let blank = indent == line.count || line[indent] == Self.hash
        if let parent = blockScalarParent {
            if blank || indent > parent { return nil }
            blockScalarParent = nil
        }
        var depth: Int
        var i = 0
        if flow == 0 && quote == nil {
            if blank { return nil }
            while let top = indents.last, top >= indent { indents.removeLast() }
            indents.append(indent)
            depth = 2 * indents.count
            i = indent
        } else {
            depth = flowBase
        }
        // Where a value may start: after indentation, `- `, `? `, `: `, `,`, `[`, `{`.
        var valueStart = true
        // A document marker may carry the document's first value: `--- [a]`.
        if i == 0, line.count >= 3, line[0] == line[1], line[1] == line[2], line[0] == Self.dash || line[0] == UInt8(ascii: "."),
           line.count == 3 || line[3] == Self.space {
            i = 3
        }
        while i < line.count {
            let c = line[i]
            if let q = quote {
                if c == q {
                    if q == UInt8(ascii: "'"), i + 1 < line.count, line[i + 1] == q {
                        i += 2
                        continue
                    }
                    quote = nil
                } else if c == UInt8(ascii: "\\"), q == UInt8(ascii: "\"") {
                    i += 1
                }
                i += 1
                continue
            }
            let next: UInt8 = i + 1 < line.count ? line[i + 1] : Self.space
            switch c {
            case Self.space, UInt8(ascii: "\t"):
                i += 1
                continue
            case Self.hash where i == 0 || line[i - 1] == Self.space || line[i - 1] == UInt8(ascii: "\t"):
                i = line.count
                continue
            case UInt8(ascii: "\"") where valueStart, UInt8(ascii: "'") where valueStart:
                quote = c
            case UInt8(ascii: "[") where valueStart || flow > 0, UInt8(ascii: "{") where valueStart || flow > 0:
                if flow == 0 { flowBase = depth }
                flow += 1
                depth = max(depth, flowBase + flow)
                if flowBase + flow > SettingsFileGuard.maxDepth { return tooDeep }
                valueStart = true
                i += 1
                continue
            case UInt8(ascii: "]") where flow > 0, UInt8(ascii: "}") where flow > 0:
                flow -= 1
            case Self.dash where valueStart && flow == 0 && (next == Self.space || next == UInt8(ascii: "\t")),
                 Self.question where valueStart && flow == 0 && (next == Self.space || next == UInt8(ascii: "\t")):
                depth += 1
                if depth > SettingsFileGuard.maxDepth { return tooDeep }
                i += 2
                continue
            case UInt8(ascii: "*") where valueStart:
                return "aliases (*name) are not allowed in a settings file"
            case UInt8(ascii: "&") where valueStart, UInt8(ascii: "!") where valueStart:
                // An anchor or a tag: the value still starts after it.
                while i < line.count, line[i] != Self.space { i += 1 }
                continue
            default:
                break
            }
            valueStart = (c == Self.colon && (next == Self.space || next == UInt8(ascii: "\t") || flow > 0))
                || ((c == Self.comma || c == UInt8(ascii: "[") || c == UInt8(ascii: "{")) && flow > 0)
            // A plain word in block context runs to its end: `a[b` is text, not a list.
            if !valueStart, flow == 0, quote == nil {
                while i + 1 < line.count, line[i + 1] != Self.space, line[i + 1] != Self.colon { i += 1 }
            }
            i += 1
        }
        if depth > SettingsFileGuard.maxDepth { return tooDeep }
        // `key: |` or `- >-` opens a block scalar: its lines are text.
        if flow == 0, quote == nil, Self.endsWithBlockIndicator(line) {
            blockScalarParent = indent
        }
        return nil
    }

    private var tooDeep: String {
        "nested more than \(SettingsFileGuard.maxDepth) levels deep (a settings file needs far fewer)"
    }

    /// `|`, `>`, `|-`, `>+2` and the like at the end of a line (before a comment).
    private static func endsWithBlockIndicator(_ line: [UInt8]) -> Bool {
        var end = line.count
        if let hashAt = line.indices.first(where: { line[$0] == hash && ($0 == 0 || line[$0 - 1] == space) }) { end = hashAt }
        var k = end - 1
        while k >= 0, line[k] == space { k -= 1 }
        while k >= 0, line[k] == UInt8(ascii: "-") || line[k] == UInt8(ascii: "+") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(line[k]) {
            k -= 1
        }
        guard k >= 0, line[k] == UInt8(ascii: "|") || line[k] == UInt8(ascii: ">") else { return false }
        return k == 0 || line[k - 1] == space
    }
}
