import Foundation
import Testing
import SessionCore
import Telemetry

/// A state with one PSM, fed tool-tip positions.
private struct TipFeed {
    var state = SessionState()

    init() {
        state.apply(Frame(t: 0, body: .session(SessionInfo(id: "S", arms: [ArmDescriptor(id: "PSM1", kind: .psm)]))), arrival: 0)
    }

    mutating func tip(_ t: Double, _ position: [Double]) {
        state.apply(Frame(t: t, body: .arm(ArmSample(arm: "PSM1", tip: position))), arrival: t)
    }

    /// `seconds` of tips at `rate` Hz from `start`, on a circle of 20 mm.
    mutating func circle(from start: Double = 0, seconds: Double, rate: Double) {
        let n = Int(seconds * rate)
        for k in 0..<n {
            let t = start + Double(k) / rate
            tip(t, [0.02 * cos(t), 0.02 * sin(t), -0.1])
        }
    }

    var trail: TipTrail { state.arm("PSM1")!.tipTrail }
}

@Suite("Tool-tip trails")
struct TipTrailTests {
    @Test("a 1 kHz arm and a 100 Hz arm keep the same ten seconds at 20 Hz: one point per 50 ms")
    func downsampledAndBounded() {
        for rate in [1000.0, 100.0] {
            var feed = TipFeed()
            feed.circle(seconds: 30, rate: rate)
            let points = feed.trail.points
            #expect(points.count == 200, "rate \(rate)")
            #expect(feed.trail.window == 10)
            #expect(points.last!.t - points.first!.t < 10, "rate \(rate): only the last ten seconds")
            #expect(points.first!.t > 19.9, "rate \(rate): the oldest fell off")
            for (a, b) in zip(points, points.dropFirst()) {
                #expect(b.t - a.t > 0.049 && b.t - a.t < 0.051, "rate \(rate): one point per bucket")
            }
            // Within its bucket the newest sample wins: the trail ends where the arm is now.
            let last = 29 + Double(Int(rate) - 1) / rate
            #expect(points.last!.t == last)
            #expect(points.last!.x == 0.02 * cos(last))
        }
    }

    @Test("a trail shorter than its window keeps every bucket from the start")
    func partialTrail() {
        var feed = TipFeed()
        feed.circle(seconds: 2, rate: 500)
        #expect(feed.trail.count == 40)
        #expect(feed.trail.points.first!.t < 0.05, "the first bucket, its newest sample")
    }

    @Test("hostile tips stay out of the trail: NaN, infinity, 1e308, the wrong length, a late frame")
    func hostileTips() {
        var feed = TipFeed()
        feed.tip(1, [0.01, 0.02, -0.1])
        feed.tip(2, [.nan, 0, 0])
        feed.tip(3, [0, .infinity, 0])
        feed.tip(4, [1e308, 0, 0])
        feed.tip(5, [0, 0, -1e308])
        feed.tip(6, [0.01, 0.02])
        feed.tip(7, [0.01, 0.02, 0.03, 0.04])
        feed.tip(0.5, [0.05, 0.05, -0.1])  // late: before the newest point
        #expect(feed.trail.points == [TipPoint(t: 1, x: 0.01, y: 0.02, z: -0.1)])
        // The arm's latest tip is still what the stream said (the Arms panel's business).
        #expect(feed.state.arm("PSM1")!.tip?.count == 3)
        feed.tip(8, [0.02, 0.03, -0.1])
        #expect(feed.trail.count == 2, "a good tip after hostile ones is kept")
    }

    @Test("a frame whose time the clock refuses (a lone jump far ahead) adds nothing to the trail")
    func refusedTime() {
        var feed = TipFeed()
        feed.circle(seconds: 1, rate: 100)
        feed.tip(1e8, [0.01, 0.01, -0.1])
        feed.tip(1.2, [0.01, 0.01, -0.1])
        #expect(feed.trail.last!.t == 1.2)
        #expect(feed.trail.points.allSatisfy { $0.t < 2 })
    }

    @Test("a copy of the state (a replay checkpoint) keeps its trail while the original moves on")
    func checkpointCopy() {
        var feed = TipFeed()
        feed.circle(seconds: 12, rate: 200)
        let kept = feed.state
        feed.circle(from: 12, seconds: 5, rate: 200)
        #expect(kept.arm("PSM1")!.tipTrail.last!.t < 12)
        #expect(feed.trail.last!.t > 16.9)
        #expect(kept.arm("PSM1")!.tipTrail.count == 200)
        var resumed = TipFeed()
        resumed.state = kept
        resumed.circle(from: 12, seconds: 5, rate: 200)
        #expect(resumed.trail == feed.trail, "resuming from the copy rebuilds the same trail")
    }

    @Test("an arm declared again with other joints starts a new trail; the same joints keep it")
    func redeclared() {
        var feed = TipFeed()
        feed.circle(seconds: 2, rate: 100)
        feed.state.apply(Frame(t: 2, body: .session(SessionInfo(id: "S", arms: [ArmDescriptor(id: "PSM1", kind: .psm)]))), arrival: 2)
        #expect(feed.trail.count == 40)
        let joints = [JointDescriptor(name: "yaw", unit: .rad)]
        feed.state.apply(Frame(t: 2, body: .session(SessionInfo(id: "S", arms: [ArmDescriptor(id: "PSM1", kind: .psm, joints: joints)]))), arrival: 2)
        #expect(feed.trail.isEmpty)
    }
}

@Suite("Captions in the session state")
struct CaptionStateTests {
    func caption(_ t: Double, _ text: String?) -> Frame {
        Frame(t: t, body: .event(EventNote(kind: "caption", text: text)))
    }

    @Test("the latest caption is current; a late one does not bring back an older caption")
    func latest() {
        var state = SessionState()
        state.apply(caption(5, "first"), arrival: 5)
        state.apply(caption(10, "second"), arrival: 10)
        state.apply(caption(7, "late"), arrival: 10.1)
        #expect(state.currentCaption?.text == "second")
        #expect(state.events.count == 3, "captions are events too")
    }

    @Test("a caption whose time the clock refuses (a lone jump far ahead) is not kept: the next caption shows")
    func refusedTime() {
        var state = SessionState()
        state.apply(caption(5, "first"), arrival: 5)
        state.apply(caption(1e8, "from the far future"), arrival: 6)
        state.apply(caption(10, "second"), arrival: 10)
        #expect(state.sessionTime == 10)
        #expect(state.counters.timeOutliers == 1)
        #expect(state.currentCaption?.text == "second", "the outlier must not freeze the band")
        state.apply(caption(15, "third"), arrival: 15)
        #expect(state.currentCaption?.text == "third")
    }

    @Test("a caption without text clears the band")
    func cleared() {
        var state = SessionState()
        state.apply(caption(5, "first"), arrival: 5)
        state.apply(caption(6, ""), arrival: 6)
        #expect(state.currentCaption == nil)
        state.apply(caption(7, nil), arrival: 7)
        #expect(state.currentCaption == nil)
    }

    @Test("a flood of other events never pushes the caption out")
    func flood() {
        var state = SessionState()
        state.apply(caption(1, "the story"), arrival: 1)
        for k in 0..<3000 {
            state.apply(Frame(t: 2 + Double(k) * 0.001, body: .event(EventNote(kind: "clutch", text: "x"))), arrival: 2)
        }
        #expect(!state.events.contains { $0.kind == "caption" })
        #expect(state.currentCaption?.text == "the story")
    }
}
