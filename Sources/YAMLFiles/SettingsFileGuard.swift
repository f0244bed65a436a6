// libyaml, which Yams builds and links: its event parser is iterative (Yams composes recursively).
import CYaml
import SystemCalls

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
        // Non-blocking: opening a FIFO must not wait for a writer; its status then refuses it.
        let fd: Int32
        do {
            fd = try SystemCalls.open(path, .read, nonBlocking: true)
        } catch {
            throw FileProblem(file: path, problem: error == .noSuchFile ? "no such file" : "cannot open: \(error.text)")
        }
        defer { SystemCalls.close(fd) }
        let status: SystemCalls.FileStatus
        do { status = try SystemCalls.status(fd: fd) } catch { throw FileProblem(file: path, problem: "cannot read: \(error.text)") }
        guard status.kind == .regular else {
            throw FileProblem(file: path, problem: "not a regular file")
        }
        guard status.size <= maxBytes else {
            throw FileProblem(file: path, problem: "too large for a settings file (\(status.size) bytes; at most 1 MiB)")
        }
        let bytes: [UInt8]
        do { bytes = try SystemCalls.readToEnd(fd, limit: maxBytes) } catch { throw FileProblem(file: path, problem: "cannot read: \(error.text)") }
        // The file may have grown since its status was read.
        if bytes.count > maxBytes { throw FileProblem(file: path, problem: "too large for a settings file (over 1 MiB)") }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw FileProblem(file: path, problem: "not UTF-8 text")
        }
        return text
    }

    /// Refuses YAML text nested deeper than `maxDepth`, or using aliases (`*name`), before it
    /// is composed. libyaml's own parser is iterative, so its event stream is walked here to
    /// count the depth of mappings and lists at any nesting, safely; only then does Yams build
    /// its tree, recursively. Text libyaml cannot parse passes on to Yams, whose error names
    /// the line.
    public static func checkShape(_ yaml: String, file: String) throws(FileProblem) {
        if yaml.utf8.count > maxBytes {
            throw FileProblem(file: file, problem: "too large for a settings file (over 1 MiB)")
        }
        if let problem = shapeProblem(Array(yaml.utf8), file: file) { throw problem }
    }

    private static func shapeProblem(_ bytes: [UInt8], file: String) -> FileProblem? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return FileProblem(file: file, problem: "cannot start the YAML reader") }
        defer { yaml_parser_delete(&parser) }
        return bytes.withUnsafeBufferPointer { text -> FileProblem? in
            yaml_parser_set_input_string(&parser, text.baseAddress, text.count)
            var depth = 0
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                defer { yaml_event_delete(&event) }
                let line = Int(event.start_mark.line) + 1
                switch event.type {
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    depth += 1
                    if depth > maxDepth {
                        return FileProblem(file: file, line: line, problem: "nested more than \(maxDepth) levels deep "
                                           + "(a settings file needs far fewer)")
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    depth -= 1
                case YAML_ALIAS_EVENT:
                    return FileProblem(file: file, line: line, problem: "aliases (*name) are not allowed in a settings file")
                case YAML_STREAM_END_EVENT, YAML_NO_EVENT:
                    return nil
                default:
                    break
                }
            }
        }
    }
}
