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
                missingFrames = missingFrames.saturatingAdd(seq - lastSeq - 1)
            }
            lastSeq = seq
        }
    }

    /// A run of frames the console dropped unapplied (a flood it could not keep up with; the
    /// source summarises it as `DroppedFrames`): it counts as observed, so the frame after it is
    /// compared with the run's last frame and the console's own drops are never counted as
    /// frames lost upstream, while gaps within and around the run still are.
    public mutating func observeDropped(firstT: Double, lastT runLastT: Double, firstSeq: Int?, lastSeq runLastSeq: Int?,
                                        outOfOrder runOutOfOrder: Int, sequenceGaps runGaps: Int, missingFrames runMissing: Int) {
        if let lastT, firstT < lastT { outOfOrder += 1 }
        outOfOrder = outOfOrder.saturatingAdd(runOutOfOrder)
        lastT = runLastT
        if let firstSeq {
            if let lastSeq, firstSeq > lastSeq {
                let (difference, overflow) = firstSeq.subtractingReportingOverflow(lastSeq)
                if overflow || difference > 1 {
                    sequenceGaps += 1
                    missingFrames = missingFrames.saturatingAdd(overflow ? Int.max : difference - 1)
                }
            }
            lastSeq = runLastSeq ?? firstSeq
        }
        sequenceGaps = sequenceGaps.saturatingAdd(runGaps)
        missingFrames = missingFrames.saturatingAdd(runMissing)
    }

    /// A new connection or a seek: the next frame has no predecessor to be compared with.
    public mutating func restart() {
        lastT = nil
        lastSeq = nil
    }
}
