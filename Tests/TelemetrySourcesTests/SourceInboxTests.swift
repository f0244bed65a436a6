import Telemetry
import Testing
import TelemetrySources

@Suite("Source inbox bounds")
struct SourceInboxTests {
    static func arm(_ t: Double, seq: Int? = nil) -> SourceEvent {
        .decoded(.frame(Frame(t: t, seq: seq, body: .arm(ArmSample(arm: "PSM1", position: [0.1])))))
    }

    static func link(_ t: Double) -> SourceEvent {
        .decoded(.frame(Frame(t: t, body: .link(LinkSample(path: "primary", rttMs: 80)))))
    }

    @Test("a live inbox stays bounded under a flood of arm samples that nobody drains")
    func boundedUnderFlood() {
        let inbox = SourceInbox(shedArmSamplesAbove: 1000)
        for k in 0..<200_000 { inbox.post(Self.arm(Double(k) / 1000, seq: k)) }
        #expect(inbox.count == 1000, "count \(inbox.count)")
        #expect(inbox.droppedFrames == 199_000)
        let events = inbox.drain()
        #expect(events.count == 1001)
        guard case .dropped(let run) = events.last else {
            Issue.record("the run of drops comes last")
            return
        }
        #expect(run.count == 199_000)
        #expect(run.firstSeq == 1000 && run.lastSeq == 199_999)
        #expect(run.sequenceGaps == 0 && run.outOfOrder == 0)
        #expect(inbox.isEmpty)
        // Drained: samples are queued again.
        inbox.post(Self.arm(300))
        #expect(inbox.count == 1)
    }

    @Test("only arm samples are dropped; each run of drops keeps its place in the stream")
    func onlyArmSamplesAndInOrder() {
        let inbox = SourceInbox(shedArmSamplesAbove: 2)
        inbox.post(Self.arm(0, seq: 0))
        inbox.post(Self.arm(0.1, seq: 1))
        inbox.post(Self.arm(0.2, seq: 2))      // dropped
        inbox.post(Self.arm(0.3, seq: 3))      // dropped
        inbox.post(Self.link(0.4))             // kept, after the run
        inbox.post(.log("x"))                  // kept
        inbox.post(.decoded(.error(DecodeError(line: 9, kind: .syntax, reason: "bad"))))  // kept
        inbox.post(Self.arm(0.5, seq: 7))      // dropped: a second run
        let briefs = inbox.drain().map { event -> String in
            switch event {
            case .dropped(let run): "dropped \(run.count) \(run.firstSeq ?? -1)-\(run.lastSeq ?? -1) gaps \(run.sequenceGaps)"
            case .decoded(.frame(let f)): "\(f.typeName.rawValue) \(f.t)"
            case .decoded(.error): "error"
            case .log: "log"
            default: "other"
            }
        }
        #expect(briefs == ["arm 0.0", "arm 0.1", "dropped 2 2-3 gaps 0", "link 0.4", "log", "error", "dropped 1 7-7 gaps 0"])
    }

    @Test("an inbox made without a threshold never drops (a replay waits for room instead)")
    func unboundedByDefault() {
        let inbox = SourceInbox()
        for k in 0..<30_000 { inbox.post(Self.arm(Double(k))) }
        #expect(inbox.count == 30_000)
        #expect(inbox.droppedFrames == 0)
        #expect(SourceInbox.live().shedArmSamplesAbove == SourceInbox.liveShedThreshold)
    }

    @Test("a dropped run counts out-of-order frames and sequence gaps among its own frames")
    func droppedRunSummary() {
        var run = DroppedFrames()
        for (t, seq) in [(1.0, 10), (1.1, 11), (1.05, nil), (1.2, 15), (1.3, Int.max)] as [(Double, Int?)] {
            run.add(Frame(t: t, seq: seq, body: .arm(ArmSample(arm: "PSM1"))))
        }
        #expect(run.count == 5)
        #expect(run.firstT == 1.0 && run.lastT == 1.3)
        #expect(run.firstSeq == 10 && run.lastSeq == Int.max)
        #expect(run.outOfOrder == 1)
        #expect(run.sequenceGaps == 2)
        #expect(run.missingFrames == 3 + (Int.max - 16), "no trap on sequence numbers at the ends of Int")
        #expect(DroppedFrames.missing(after: Int.min, before: Int.max) == Int.max)
        #expect(DroppedFrames.missing(after: 5, before: 6) == nil)
        #expect(DroppedFrames.missing(after: 5, before: 4) == nil)
    }
}
