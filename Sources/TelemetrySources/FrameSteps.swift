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
    /// Steps back asked for while reading again toward `stop` (or on the way to a seek's
    /// target): carried out from there.
    var deferred: Seek?
    /// Where the recording's first frame ends, once read from its start: a step back never goes
    /// before it (nothing would be on screen, not even the session).
    var firstFrameEnd: Int?

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
        let k = min(max(1, frames), reachable)
        guard k > 0 else { return nil }
        return ends[(next - k + Self.kept) % Self.kept]
    }

    /// The latest frame delivered is the recording's first: there is nothing to step back to.
    var atFirstFrame: Bool { count > 0 && reachable == 0 }

    /// How many of the frames kept a step back may stop at: those after the first frame (they
    /// are kept in the recording's order, so they are the newest ones).
    private var reachable: Int {
        guard let first = firstFrameEnd else { return count }
        var k = 0
        while k < count, ends[(next - 1 - k + Self.kept) % Self.kept] > first { k += 1 }
        return k
    }
}
