import Telemetry

/// What a pass over a whole recording found, before the replay gets there: where its sessions
/// lie, every alarm raise (the robot's and the console's own), event and gap. The timeline
/// draws it, `n`/`N` and `e`/`E` jump along it, the history overlay (`h`) lists it.
///
/// A recording may hold several sessions, each starting its clock afresh (spec §3): a marker
/// names its session by ordinal (how many started before it), as `ReplayPosition` does.
public struct RecordingIndex: Sendable, Equatable {
    /// How the pass stands.
    public enum Status: Sendable, Equatable {
        /// Still reading: the fraction of the recording read (0–1), for a progress indication.
        case running(fraction: Double)
        /// Read to the end: every marker is known.
        case done
        /// No pass can be made (standard input, a pipe): the sentence says why.
        case unavailable(String)
        /// The pass stopped on an error (the file vanished, a read failed): what is known stays.
        case failed(String)
    }

    public var status: Status
    /// The recording's sessions, in order (ordinal = index).
    public var sessions: [RecordingSessionSpan]
    /// Ordered by session, then time (then as found).
    public var markers: [RecordingMarker]
    /// Markers the pass found beyond the most it keeps (a hostile recording raising alarms
    /// without end): counted, not kept, so the pass's memory stays bounded.
    public var markersLeftOut = 0

    public init(status: Status = .running(fraction: 0), sessions: [RecordingSessionSpan] = [],
                markers: [RecordingMarker] = []) {
        self.status = status
        self.sessions = sessions
        self.markers = markers
    }
}

/// One session of a recording, as the pass found it.
public struct RecordingSessionSpan: Sendable, Equatable {
    /// The session frame's `id` (sanitised).
    public var id: String
    /// `started_at` as Unix seconds, when the session frame carries a valid one: maps the
    /// recording's wall clock ("09:12:30") to session time.
    public var startedAt: Double?
    /// Session time of its session frame and of its last frame.
    public var start: Double
    public var end: Double

    public init(id: String, startedAt: Double? = nil, start: Double, end: Double) {
        self.id = id
        self.startedAt = startedAt
        self.start = start
        self.end = end
    }
}

/// A moment of a recording worth jumping to.
public struct RecordingMarker: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// An alarm raised: by the robot (an `alarm` frame) or by the console's own rules
        /// (`derived`: link thresholds, joint limits, lost telemetry…), at its priority.
        case alarm(AlarmPriority, derived: Bool)
        /// An `event` frame (clutch, camera, energy, gesture, teleop…).
        case event
        /// No frames for a while (see the pass for how long counts).
        case gap
        /// A session starts (the second and later sessions of a recording).
        case session
        /// A trainer's bookmark (`FILE.marks.ndjson`).
        case bookmark
    }

    public var kind: Kind
    /// The session's ordinal (0 for the first).
    public var session: Int
    /// Session time.
    public var t: Double
    /// An alarm's id ("LINK.primary.RTT"), an event's kind ("clutch"), "gap", a session's id,
    /// "bookmark". Sanitised.
    public var id: String
    /// Full text (an alarm's message, an event's text, a gap's length, a bookmark's note). Sanitised.
    public var text: String

    public init(kind: Kind, session: Int, t: Double, id: String, text: String) {
        self.kind = kind
        self.session = session
        self.t = t
        self.id = id
        self.text = text
    }
}

/// A trainer's note at a moment of a recording, kept in a sidecar file beside it
/// (`FILE.marks.ndjson`, one JSON object a line: `t`, `note`, `created_at`; the recording itself
/// is never modified).
public struct Bookmark: Sendable, Equatable {
    /// Session time.
    public var t: Double
    /// The session's ordinal in the recording (0 for the first); written as `session` only when
    /// not 0, so a one-session recording's file holds exactly t, note, created_at.
    public var session: Int
    /// The trainer's note (sanitised when read).
    public var note: String
    /// When it was made, ISO 8601 UTC ("2026-11-26T07:12:03Z").
    public var createdAt: String

    public init(t: Double, session: Int = 0, note: String, createdAt: String) {
        self.t = t
        self.session = session
        self.note = note
        self.createdAt = createdAt
    }
}
