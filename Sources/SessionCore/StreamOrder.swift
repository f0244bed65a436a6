import Telemetry

/// The order of one source's frames (spec §2): a frame whose `t` is lower than its
/// predecessor's is applied and counted as out of order; a sequence number that skips ahead
/// means frames were lost upstream. The live state and the report count them through this one
/// type, so they always agree.
public struct StreamOrder: Sendable, Equatable {
    public private(set) var outOfOrder = 0
    /// Times the sequence number skipped ahead, and the frames that went missing in those gaps.
    public private(set) var sequenceGaps = 0
    public private(set) var missingFrames = 0
    private var lastT: Double?
    private var lastSeq: Int?

    public init() {}

    public mutating func observe(_ frame: Frame) {
        if let lastT, frame.t < lastT { outOfOrder += 1 }
        lastT = frame.t
        if let seq = frame.seq {
            if let lastSeq, seq > lastSeq + 1 {
                sequenceGaps += 1
                missingFrames += seq - lastSeq - 1
            }
            lastSeq = seq
        }
    }

    /// A new connection or a seek: the next frame has no predecessor to be compared with.
    public mutating func restart() {
        lastT = nil
        lastSeq = nil
    }
}
