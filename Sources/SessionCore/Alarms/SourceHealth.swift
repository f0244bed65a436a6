/// What the console knows of its live source beyond the frames it applied, for the alarms
/// about the telemetry stream itself (TELEMETRY.LOST, TELEMETRY.VERSION, TELEMETRY.DROPPED).
/// The session driver keeps it from the source's events; arrival times are monotonic seconds,
/// the clock of `Stamp.arrival`.
public struct SourceHealth: Sendable, Equatable {
    /// Arrival time since which the source has been connected without delivering any frame
    /// (nil once one arrives). With no frame at all in the state, TELEMETRY.LOST counts from it,
    /// so a gateway that connects and sends nothing raises it too.
    public var silentSince: Double?
    /// The format version of the last session frame refused, until a valid session frame
    /// arrives: TELEMETRY.VERSION, high.
    public var refusedVersion: Int?
    /// Arm samples dropped because the console could not keep up (all of them, this session).
    public var droppedFrames = 0
    /// When the last of them was dropped: TELEMETRY.DROPPED, medium, while drops are recent.
    public var lastDrop: Double?
    /// Why `--record` stopped writing (a full disk): RECORDING.FAILED, medium, while set.
    public var recordingFailure: String?

    public init(silentSince: Double? = nil, refusedVersion: Int? = nil, droppedFrames: Int = 0, lastDrop: Double? = nil) {
        self.silentSince = silentSince
        self.refusedVersion = refusedVersion
        self.droppedFrames = droppedFrames
        self.lastDrop = lastDrop
    }

    /// Drops within this many seconds (arrival time) count as recent.
    public static let recentDropSeconds = 1.0
}
