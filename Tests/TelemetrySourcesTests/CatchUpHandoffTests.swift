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
}
