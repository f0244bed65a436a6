// Entries the console itself adds to the Events panel: what happened to the connection
// (connect, drop, reconnect, a refused second gateway, a resynchronisation). They are kind
// `connection`, the kind a recording made by the console also uses for them.
//
// A flapping connection must not flood the panel: a pattern that repeats (the same event
// again, or the same pair again: lost, reconnected, lost, reconnected…) keeps its first
// occurrence as listed and collapses the repeats into one entry updated in place with a count
// ("×37 since 14:03:01") and the latest texts. And console entries have room of their own
// (`ConnectionLog.limit`), so they can never push the stream's own events out.

/// What the event log keeps of the console's own entries.
public struct ConnectionLog: Sendable, Equatable {
    /// Console entries kept at most (the stream's own events keep their `limits.events`).
    public static let limit = 100
    /// Console entries in the log now.
    public internal(set) var entries = 0
    /// The last entries listed, most recent last (to spot a repeat).
    var recent: [Listed] = []
    /// The repeats being collapsed into the newest console entry.
    var run: Run?

    struct Listed: Sendable, Equatable {
        var pattern: String
        /// Wall-clock time.
        var clock: String
        var text: String
    }

    struct Run: Sendable, Equatable {
        /// The repeating patterns: one event, or a pair.
        var cycle: [String]
        /// The position in `cycle` the next repeat is expected at.
        var next: Int
        /// Times the pattern occurred, its first listed occurrence included.
        var count: Int
        /// Wall-clock time of the first occurrence.
        var since: String
        /// The latest text at each position of the cycle.
        var texts: [String]
    }
}

extension SessionState {
    /// The kind of every console-made connection entry.
    public static let connectionEventKind = "connection"

    /// Adds a `connection` entry to the event log at the current session time (ends a run of
    /// collapsed repeats). At most `ConnectionLog.limit` are kept, oldest dropped first.
    public mutating func recordConnectionEvent(_ text: String) {
        connectionLog.run = nil
        connectionLog.recent.removeAll()
        addConnectionEntry(text)
    }

    /// Adds a `connection` entry that happened at wall-clock time `clock` ("14:03:22", shown
    /// first: session time stands still during an outage, so it cannot tell drops apart).
    /// `pattern` says which entries are repeats of one another (`ConnectionEvent.pattern`):
    /// a repeat updates one entry with a count instead of adding one.
    public mutating func recordConnectionEvent(_ text: String, pattern: String, clock: String) {
        if var run = connectionLog.run, run.cycle[run.next] == pattern {
            run.texts[run.next] = text
            if run.next == 0 { run.count = run.count.saturatingAdd(1) }
            run.next = (run.next + 1) % run.cycle.count
            connectionLog.run = run
            updateRunEntry(run, latest: clock)
            return
        }
        connectionLog.run = nil
        let recent = connectionLog.recent
        if let last = recent.last, last.pattern == pattern {
            startRun(cycle: [pattern], since: last.clock, texts: [text], latest: clock)
        } else if recent.count == 2, recent[0].pattern == pattern {
            startRun(cycle: [pattern, recent[1].pattern], since: recent[0].clock, texts: [text, recent[1].text], latest: clock)
        } else {
            connectionLog.recent.append(ConnectionLog.Listed(pattern: pattern, clock: clock, text: text))
            if connectionLog.recent.count > 2 { connectionLog.recent.removeFirst() }
            addConnectionEntry(clock + " " + text)
        }
    }

    /// The first repeat: one entry from now on stands for every further one.
    private mutating func startRun(cycle: [String], since: String, texts: [String], latest: String) {
        let run = ConnectionLog.Run(cycle: cycle, next: 1 % cycle.count, count: 2, since: since, texts: texts)
        connectionLog.run = run
        connectionLog.recent.removeAll()
        addConnectionEntry("")
        updateRunEntry(run, latest: latest)
    }

    /// "14:05:40 ×37 since 14:03:01: lost gw:7000: connection closed by peer, then reconnected…"
    private mutating func updateRunEntry(_ run: ConnectionLog.Run, latest: String) {
        guard let k = events.lastIndex(where: { $0.byConsole }) else { return }
        events[k].t = sessionTime
        events[k].text = "\(latest) ×\(run.count) since \(run.since): " + run.texts.joined(separator: ", then ")
    }

    private mutating func addConnectionEntry(_ text: String) {
        if connectionLog.entries >= ConnectionLog.limit { removeOldestEvent(byConsole: true) }
        events.append(EventEntry(t: sessionTime, kind: Self.connectionEventKind, text: text, byConsole: true))
        connectionLog.entries += 1
    }

    /// Removes the oldest entry of the console (`byConsole`) or of the stream, if any.
    mutating func removeOldestEvent(byConsole: Bool) {
        if let first = events.first, first.byConsole == byConsole {
            events.removeFirst()
        } else if let k = events.firstIndex(where: { $0.byConsole == byConsole }) {
            events.remove(at: k)
        } else {
            return
        }
        if byConsole { connectionLog.entries -= 1 }
    }
}
