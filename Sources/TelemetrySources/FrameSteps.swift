/// What a file replay needs to step back frame by frame (`,`): where the latest frames it
/// delivered end in the recording (frames share a `t`, so a frame is known by its place), and
/// while it reads again up to a step's target, where to stop and any steps asked for meanwhile.
struct FrameSteps {
    /// Ends (byte offsets just after the line) of the latest frames delivered, oldest first, in a ring.
    private var ends = [Int](repeating: 0, count: Self.kept)
    private var count = 0
    private var next = 0
    /// How many delivered frames a run of steps back can reach at most.
    static let kept = 1024
    /// Session seconds before a seek's target whose frames are kept: the frame a seek lands on
    /// and those before it (more than `kept` at 500 Hz for four arms).
    static let keptBeforeTarget = 1.0

    /// Reading again: deliver at once every line that ends before this, then wait, paused.
    var stop: Int?
    /// Steps back asked for while reading again toward `stop`: carried out from there.
    var deferred: Seek?

    mutating func delivered(frameEndingAt offset: Int) {
        ends[next] = offset
        next = (next + 1) % Self.kept
        count = min(count + 1, Self.kept)
    }

    /// Forget the frames delivered: reading starts again, from the start or just after the
    /// frame ending at `offset` (a checkpoint's).
    mutating func restart(after offset: Int?) {
        count = 0
        next = 0
        if let offset { delivered(frameEndingAt: offset) }
    }

    /// Where reading again must stop to go `frames` frames back from the latest delivered one
    /// (fewer when fewer are known; nil when none is).
    func stop(goingBack frames: Int) -> Int? {
        let k = min(max(1, frames), count)
        guard k > 0 else { return nil }
        return ends[(next - k + Self.kept) % Self.kept]
    }
}
