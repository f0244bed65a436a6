// Entries the console itself adds to the Events panel: what happened to the connection
// (connect, drop, reconnect, a refused second gateway, a resynchronisation). They are kind
// `connection`, the kind a recording made by the console also uses for them.

extension SessionState {
    /// The kind of every console-made connection entry.
    public static let connectionEventKind = "connection"

    /// Adds a `connection` entry to the event log at the current session time (the log keeps
    /// at most `limits.events`, oldest dropped first, as for the stream's own events).
    public mutating func recordConnectionEvent(_ text: String) {
        if events.count >= limits.events, !events.isEmpty { events.removeFirst() }
        events.append(EventEntry(t: sessionTime, kind: Self.connectionEventKind, text: text))
    }
}
