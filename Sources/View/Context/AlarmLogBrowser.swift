/// The alarm log overlay (`l`): every entry the console has logged this session, scrolled and
/// searched. A value: the console moves it with keys, the view draws it (`AlarmLogOverlay`).
///
/// It is positioned by its bottom line, so it opens on the newest entry and, while it stays
/// there, follows new ones as they are logged.
public struct AlarmLogBrowser: Sendable, Equatable {
    /// The log file the entries are also written to (nil when none could be opened).
    public var path: String?
    /// What the file holds, when it is not every line shown: "this session's file; earlier
    /// sessions above the SESSION line" once a new session opened a file of its own.
    public var pathNote: String?
    public private(set) var lines: [String]
    /// Index of the line drawn at the bottom.
    public private(set) var bottom: Int
    /// The text searched for (`/`), as typed.
    public var query = ""
    /// Whether the search text is being typed.
    public var editing = false
    /// The line of the current match, highlighted.
    public private(set) var match: Int?
    /// The last search found nothing.
    public private(set) var notFound = false
    /// Lines the overlay showed last time it was drawn (the console's view state keeps it).
    public var rows = 1
    /// Characters cut from the left of every line (←/→), to read the end of long entries.
    public private(set) var column = 0

    /// Moves the view `delta` characters sideways (never before the start of the lines, nor
    /// past the end of the longest).
    public mutating func shift(by delta: Int) {
        let longest = lines.reduce(0) { max($0, $1.count) }
        column = max(0, min(max(0, longest - 10), column.saturatingAdd(delta)))
    }

    /// How many of the log's oldest lines had been dropped before `lines[0]` (the recorder's
    /// running count), so the place is kept when lines are dropped and added in one step.
    public private(set) var dropped: Int

    public init(path: String?, lines: [String], dropped: Int = 0) {
        self.path = path
        self.lines = lines
        self.dropped = dropped
        bottom = max(0, lines.count - 1)
    }

    /// Takes the log's lines as they are now, `dropped` being the recorder's running count of
    /// lines it let go; a browser at the end follows new ones, and new lines that match the last
    /// search are counted among its matches.
    public mutating func update(lines newLines: [String], dropped total: Int) {
        let following = bottom >= lines.count - 1
        let gone = max(0, total - dropped)
        let kept = max(0, lines.count - gone)  // old lines still in the log, first in `newLines`
        lines = newLines
        dropped = total
        bottom = following ? max(0, lines.count - 1) : max(0, bottom - gone)
        match = match.map { $0 - gone }.flatMap { $0 >= 0 && $0 < lines.count ? $0 : nil }
        matches = matches.map { $0 - gone }.filter { $0 >= 0 }
        if !searched.isEmpty, kept < lines.count {
            matches += (kept..<lines.count).filter { lines[$0].lowercased().contains(searched) }
        }
        clamp()
    }

    /// `/`: a new search, typed from empty, that starts from the top of the view (not from the
    /// last search's match).
    public mutating func startSearch() {
        editing = true
        query = ""
        match = nil
        notFound = false
    }

    /// Moves the view `delta` lines (negative: toward older entries).
    public mutating func scroll(by delta: Int) {
        bottom = bottom.saturatingAdd(delta)
        clamp()
    }

    /// The first line drawn in `rows` rows.
    public func top(rows: Int) -> Int {
        max(0, bottom - max(1, rows) + 1)
    }

    /// Finds the next line (`forward`, toward newer ones) containing the query, ignoring case,
    /// from the current match (or the bottom line), wrapping around; shows it at the bottom.
    public mutating func find(forward: Bool) {
        editing = false
        let needle = query.lowercased()
        guard !needle.isEmpty, !lines.isEmpty else { match = nil; notFound = !needle.isEmpty; return }
        searched = needle
        matches = lines.indices.filter { lines[$0].lowercased().contains(needle) }
        let n = lines.count
        let start = match ?? (forward ? top(rows: rows) - 1 : bottom + 1)
        for step in 1...n {
            let k = ((start + (forward ? step : -step)) % n + n) % n
            if lines[k].lowercased().contains(needle) {
                match = k
                notFound = false
                // The match in view: scrolled to only when it is off screen.
                if k < top(rows: rows) || k > bottom { bottom = min(n - 1, k + max(0, rows / 2)) }
                clamp()
                return
            }
        }
        match = nil
        notFound = true
    }

    /// Which match is the current one (1-based) and how many lines match, as of the last search.
    public var matchPosition: (index: Int, count: Int)? {
        guard let match, !query.isEmpty else { return nil }
        return (matches.firstIndex(of: match).map { $0 + 1 } ?? 0, matches.count)
    }

    /// The lines matching the query, found once per search (not at every frame).
    private var matches: [Int] = []
    /// The text of the last search, lowercased (new lines are matched against it).
    private var searched = ""

    private mutating func clamp() {
        let last = max(0, lines.count - 1)
        bottom = min(last, max(min(last, max(1, rows) - 1), bottom))
    }
}
