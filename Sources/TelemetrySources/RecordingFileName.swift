import SystemCalls

/// Names of the files `--record FILE` writes when a new session begins while recording:
/// `STEM.<id>.ndjson[.gz]` next to FILE, where STEM is FILE without `.ndjson[.gz]`.
public enum RecordingFileName {
    /// The longest id kept in a file name, in characters.
    public static let maxIdLength = 64

    /// A session id (from the wire) made safe for a file name: ASCII letters, digits, `-` and
    /// `_` are kept; every run of anything else (`/`, `.`, spaces, controls, non-ASCII) becomes
    /// one `_`; at most `maxIdLength` characters; "session" when nothing is left.
    public static func sanitisedId(_ id: String) -> String {
        var out = ""
        for unit in id.utf8 {
            if out.count >= maxIdLength { break }
            let safe = (unit >= 0x30 && unit <= 0x39) || (unit >= 0x41 && unit <= 0x5A) || (unit >= 0x61 && unit <= 0x7A)
                || unit == 0x2D || unit == 0x5F
            if safe {
                out.append(Character(Unicode.Scalar(unit)))
            } else if out.last != "_" {
                out.append("_")
            }
        }
        let trimmed = out.trimmingUnderscores()
        return trimmed.isEmpty ? "session" : trimmed
    }

    /// The file for the session `id` next to `base`; an existing file is never reused
    /// (`STEM.<id>-2.ndjson`, `-3`… until a free name).
    public static func path(forSession id: String, nextTo base: String,
                            exists: (String) -> Bool = SystemCalls.exists) -> String {
        let gzip = base.hasSuffix(".gz")
        var stem = gzip ? String(base.dropLast(3)) : base
        if stem.hasSuffix(".ndjson") { stem = String(stem.dropLast(7)) }
        let name = stem + "." + sanitisedId(id)
        let ext = ".ndjson" + (gzip ? ".gz" : "")
        var candidate = name + ext
        var n = 2
        while exists(candidate) {
            candidate = name + "-\(n)" + ext
            n += 1
        }
        return candidate
    }
}

private extension String {
    func trimmingUnderscores() -> String {
        var s = Substring(self)
        while s.first == "_" { s = s.dropFirst() }
        while s.last == "_" { s = s.dropLast() }
        return String(s)
    }
}
