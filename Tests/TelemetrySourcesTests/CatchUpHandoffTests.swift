import Foundation
import Synchronization
import Telemetry
import Testing
@testable import TelemetrySources

/// How a replay hands what it decodes to the console: in blocks while it reads ahead of its pace,
/// one event at a time at its pace, always in order.
@Suite("Catch-up handoff", .serialized)
struct CatchUpHandoffTests {
    static func note(_ t: Double) -> SourceEvent { .decoded(.frame(Frame(t: t, body: .event(EventNote(kind: "note"))))) }

    static func times(_ events: [SourceEvent]) -> [Double] {
        events.compactMap { if case .decoded(.frame(let frame)) = $0 { frame.t } else { nil } }
    }

    @Test("blocks handed over whole keep their place among single events, and count as their events")
    func blocksKeepTheirOrder() {
        let inbox = SourceInbox()
        inbox.post(Self.note(1))
        inbox.post(contentsOf: [Self.note(2), Self.note(3)])
        inbox.post(contentsOf: [])
        inbox.post(Self.note(4))
        inbox.post(contentsOf: [Self.note(5)])
        #expect(inbox.count == 5)
        #expect(!inbox.isEmpty)
        #expect(Self.times(inbox.drain()) == [1, 2, 3, 4, 5])
        #expect(inbox.count == 0 && inbox.isEmpty)
        inbox.post(contentsOf: [Self.note(6), Self.note(7)])
        #expect(Self.times(inbox.drain()) == [6, 7], "a lone block comes back as it was")
    }

    @Test("a live inbox that sheds arm samples still sheds them when they come in a block")
    func liveInboxShedsBlocks() {
        let inbox = SourceInbox(shedArmSamplesAbove: 2)
        let arm = { (t: Double) in SourceEvent.decoded(.frame(Frame(t: t, body: .arm(ArmSample(arm: "PSM1", position: [t]))))) }
        inbox.post(contentsOf: (0..<5).map { arm(Double($0)) })
        let drained = inbox.drain()
        #expect(Self.times(drained) == [0, 1])
        #expect(inbox.droppedFrames == 3)
    }

    @Test("a source waiting for room waits while the inbox is full and goes on once the consumer drains")
    func waitForRoomEndsAtTheDrain() {
        let inbox = SourceInbox()
        inbox.post(contentsOf: (0..<10).map { Self.note(Double($0)) })
        final class Flag: Sendable {
            let value = Atomic<Bool>(false)
            var isSet: Bool { value.load(ordering: .relaxed) }
        }
        let released = Flag()
        let thread = Thread {
            inbox.waitForRoom(below: 5) { false }
            released.value.store(true, ordering: .relaxed)
        }
        thread.start()
        Thread.sleep(forTimeInterval: 0.05)
        #expect(!released.isSet, "10 events wait, more than 5")
        let drainedAt = Date()
        _ = inbox.drain()
        while !released.isSet && Date().timeIntervalSince(drainedAt) < 2 { Thread.sleep(forTimeInterval: 0.0005) }
        #expect(released.isSet)
    }

    @Test("a replay opened --from a time hands the frames before it over in blocks, then each frame alone at its pace")
    func fastForwardGoesInBlocks() throws {
        let path = try FileSourceTests.write(FileSourceTests.recording(seconds: 200), name: "blocks.ndjson")
        let control = PlaybackControl(speed: 64)
        let source = FileSource(path: path, paced: true, from: 190, control: control)
        let batches = Mutex<[[SourceEvent]]>([])
        source.run(deliver: { events in
            batches.withLock { $0.append(events) }
            if events.contains(where: { if case .state(.ended) = $0 { true } else { false } }) { source.stop() }
        }, waitForRoom: {})
        let delivered = batches.withLock { $0 }
        let all = delivered.flatMap { $0 }
        // Every frame, in the recording's order, whatever the blocks.
        #expect(Self.times(all) == [0] + (0...2000).map { Double($0) / 10 }, "the session frame, then every arm frame")
        let beforeTarget = delivered.filter { Self.times($0).contains { $0 < 189.9 } }
        let atPace = delivered.filter { Self.times($0).contains { $0 > 190 } }
        // A block ends when full or at a checkpoint (every 10 s: 100 frames here), never at each frame.
        #expect(beforeTarget.count <= 19 + 1900 / Outbox.blockSize + 2, "\(beforeTarget.count) handovers for 1,900 frames")
        #expect(beforeTarget.dropFirst().dropLast().allSatisfy { $0.count >= 100 }, "\(beforeTarget.map(\.count))")
        #expect(atPace.allSatisfy { $0.count == 1 }, "at its pace each frame is handed over when it is due")
        #expect(atPace.count >= 99)
    }

    /// Waits up to `seconds` for `done`, polling.
    static func waitUntil(_ seconds: Double, _ done: () -> Bool) {
        let start = Date()
        while !done() && Date().timeIntervalSince(start) < seconds { Thread.sleep(forTimeInterval: 0.005) }
    }

    static func ended(_ events: [SourceEvent]) -> Bool {
        events.contains { if case .state(.ended) = $0 { true } else { false } }
    }

    @Test("a checkpoint after every frame does not let a catch-up past its inbox's bound")
    func checkpointsDoNotBypassTheBound() throws {
        // t steps 10 s a frame: a checkpoint follows every frame, so no block ever fills.
        let encoder = FrameEncoder()
        var lines = [TCPTest.session("REC", arms: ["PSM1"])]
        for k in 0..<30_000 { lines.append(encoder.encode(Frame(t: Double(k) * 10, body: .arm(ArmSample(arm: "PSM1", position: [1])))))}
        let path = try FileSourceTests.write(lines.joined(separator: "\n") + "\n", name: "steps.ndjson")
        let inbox = SourceInbox()
        let source = FileSource(path: path, paced: true, from: 300_000, control: PlaybackControl())
        source.start(inbox: inbox)
        defer { source.stop() }
        // Nobody drains: the reader must stop at the bound and stay there.
        var last = -1
        Self.waitUntil(20) {
            let now = inbox.count
            defer { last = now }
            return now == last && now > FileSource.backlogLimit
        }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(inbox.count > FileSource.backlogLimit, "the reader got to the bound")
        #expect(inbox.count <= FileSource.backlogLimit + 2 * Outbox.blockSize, "\(inbox.count) events wait; 60,000 were read")
        // Drained, the reader goes on to the end: every frame comes, in order.
        var times: [Double] = []
        var ended = false
        Self.waitUntil(20) {
            let events = inbox.drain()
            times += Self.times(events)
            ended = ended || Self.ended(events)
            return ended
        }
        #expect(times == [0] + (0..<30_000).map { Double($0) * 10 })
    }

    @Test("at its pace, and for a live stream, events go into the inbox one by one, never as a block each")
    func eventsAtPaceAreNotBlocks() throws {
        let path = try FileSourceTests.write(FileSourceTests.recording(seconds: 20), name: "pace.ndjson")
        for source in [FileSource(path: path, paced: true, control: PlaybackControl(speed: 64)),
                       FileSource(path: path, mode: .live, paced: false)] {
            let inbox = SourceInbox()
            source.start(inbox: inbox)
            // Nothing drained until the end: all 202 frames and the source's events wait.
            var last = -1
            Self.waitUntil(10) {
                Thread.sleep(forTimeInterval: 0.1)
                let now = inbox.count
                defer { last = now }
                return now == last && now > 202
            }
            source.stop()
            #expect(inbox.blocksWaiting == 0, "\(inbox.blocksWaiting) blocks for \(inbox.count) events")
            #expect(Self.times(inbox.drain()) == [0] + (0...200).map { Double($0) / 10 })
        }
    }
}
