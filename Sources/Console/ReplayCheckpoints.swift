import SessionCore
import TelemetrySources

/// The session state and alarms kept at some of a replay's checkpoints, so that a seek back
/// resumes from the nearest one instead of re-reading the recording from its start.
///
/// Memory stays bounded whatever the recording's length: the two latest checkpoints are always
/// kept, so a step back of a few seconds reads at most a few seconds; of the older ones at most
/// `capacity` are kept (each state holds the bounded history, about 3 MB for four arms), and
/// when they would be more, every other one is dropped and their spacing doubles. A long jump
/// back reads at most one spacing's worth: 10 s at first, 160 s after four halvings (a
/// 40-minute session).
///
/// A recording may hold several sessions, each starting its clock afresh: checkpoints are
/// ordered by `ReplayPosition` (session, then time), and spacing counts within a session.
public struct ReplayCheckpoints: Sendable {
    public struct Kept: Sendable {
        public var checkpoint: ReplayCheckpoint
        public var state: SessionState
        public var alarms: AlarmEngine
    }

    public static let capacity = 16
    /// Session seconds between kept checkpoints; doubles as the recording grows.
    public private(set) var spacing: Double = 0
    /// Oldest first.
    public private(set) var kept: [Kept] = []
    /// The two latest checkpoints passed, whether or not `kept` has them.
    public private(set) var recent: [Kept] = []

    public init() {}

    /// Keeps the state at `checkpoint` unless one is kept within `spacing` of it.
    public mutating func keep(_ checkpoint: ReplayCheckpoint, state: SessionState, alarms: AlarmEngine) {
        if !recent.contains(where: { $0.checkpoint == checkpoint }) {
            recent.append(Kept(checkpoint: checkpoint, state: state, alarms: alarms))
            if recent.count > 2 { recent.removeFirst() }
        }
        let at = checkpoint.at
        let index = kept.firstIndex { at < $0.checkpoint.at } ?? kept.count
        let before = index > 0 ? Self.time(of: kept[index - 1], inSession: at.session) : -Double.infinity
        let after = index < kept.count ? Self.time(of: kept[index], inSession: at.session) : Double.infinity
        guard at.t - before >= spacing, after - at.t >= spacing,
              !kept.contains(where: { $0.checkpoint == checkpoint }) else { return }
        kept.insert(Kept(checkpoint: checkpoint, state: state, alarms: alarms), at: index)
        if kept.count > Self.capacity { thin() }
    }

    /// The latest kept checkpoint at or before `position`.
    public func latest(atOrBefore position: ReplayPosition) -> ReplayCheckpoint? {
        (kept + recent).filter { $0.checkpoint.at <= position }.max { $0.checkpoint.at < $1.checkpoint.at }?.checkpoint
    }

    /// A kept checkpoint's time as seen from `session`: another session's lies infinitely far.
    private static func time(of kept: Kept, inSession session: Int) -> Double {
        let at = kept.checkpoint.at
        if at.session == session { return at.t }
        return at.session < session ? -Double.infinity : Double.infinity
    }

    /// The state kept at `checkpoint`, if it was kept.
    public func state(at checkpoint: ReplayCheckpoint) -> Kept? {
        recent.first { $0.checkpoint == checkpoint } ?? kept.first { $0.checkpoint == checkpoint }
    }

    private mutating func thin() {
        kept = kept.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        let gaps = zip(kept, kept.dropFirst()).compactMap { a, b in
            a.checkpoint.at.session == b.checkpoint.at.session ? b.checkpoint.t - a.checkpoint.t : nil
        }
        spacing = max(spacing * 2, gaps.min() ?? 0)
    }
}
