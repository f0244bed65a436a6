import Console
import SessionCore
import Simulator
import Telemetry
import Testing
import YAMLFiles

/// One story per shipped scenario, played through the console core with the default alarm
/// settings: which alarms sound, at which priority and roughly when, and which captions show.
@Suite("Shipped scenario stories")
struct ShippedScenarioStoryTests {
    /// The story must hold whatever the seed: the seed changes only the background (seeds 1-36
    /// were all checked once; a few here keep the suite quick).
    static let seeds: [UInt64] = [1, 7, 42, 1234]

    @Test("routine: no alarm at all, derived or robot, over the whole run", arguments: Self.seeds)
    func routine(seed: UInt64) throws {
        let scenario = try StoryRun.shipped("routine")
        let run = StoryRun.play(scenario, seed: seed)
        #expect(run.raises.isEmpty, "\(run.raises)")
        #expect(run.caption(containing: "Routine case") == 0)
        #expect(run.caption(containing: "Instrument change on PSM1") == 50)
        #expect(run.caption(containing: "The new instrument is engaged") == 61.5)
        #expect(run.captions.count == scenario.steps.filter { $0.caption != nil }.count)
        #expect(run.silentBatches.isEmpty)
        // The captions' figures are what the Link panel shows: "about 50 ms" at 0:00 and 1:35,
        // jitter "about 2 ms" and loss "at most 0.2 %". A rare small spike (5-25 ms) is allowed.
        let rtt = run.readings("primary", \.rttMs, from: 0, to: 150)
        #expect((47...53).contains(median(rtt)), "median round trip \(median(rtt)) ms")
        let near = rtt.filter { (44...57).contains($0) }
        #expect(Double(near.count) >= 0.95 * Double(rtt.count), "\(near.count) of \(rtt.count) within 44-57 ms")
        let jitter = run.readings("primary", \.jitterMs, from: 90, to: 110)
        #expect((1.3...2.7).contains(median(jitter)), "median jitter \(median(jitter)) ms")
        #expect(run.readings("primary", \.lossPct, from: 0, to: 150).allSatisfy { $0 <= 0.2 })
    }

    @Test("congestion-failover: round trip low, then medium, loss high; all clear after the recovery", arguments: Self.seeds)
    func congestionFailover(seed: UInt64) throws {
        let run = StoryRun.play(try StoryRun.shipped("congestion-failover"), seed: seed)
        let low = try #require(run.first("LINK.primary.RTT", .low))
        let medium = try #require(run.first("LINK.primary.RTT", .medium))
        let lossHigh = try #require(run.first("LINK.primary.LOSS", .high))
        // The climb starts at 0:20: over 100 ms about 6 s in, over 200 ms about 17 s in.
        #expect((24...32).contains(low.at), "\(low)")
        #expect((34...43).contains(medium.at), "\(medium)")
        #expect(run.highest("LINK.primary.RTT") == .medium, "280 ms stays under the 300 ms high level")
        // Loss starts once the climb is done (0:45).
        #expect((45...50).contains(lossHigh.at), "\(lossHigh)")
        #expect(low.at < medium.at && medium.at < lossHigh.at)
        // The captions tell it as it happens, each after what it points at.
        #expect(run.caption(containing: "medium alarm") == 40 && medium.at <= 40)
        // "Primary fibre at about 50 ms", "round trip past 200 ms" at 0:40, "back to about 50 ms" at 1:45,
        // the backup "about 60 ms" at the failover.
        #expect((46...55).contains(median(run.readings("primary", \.rttMs, from: 0, to: 20))))
        #expect(run.readings("primary", \.rttMs, from: 39, to: 45).allSatisfy { $0 > 200 })
        #expect(run.readings("primary", \.rttMs, from: 26, to: 30).allSatisfy { $0 > 100 })
        #expect(run.readings("primary", \.rttMs, from: 50, to: 85).allSatisfy { (250...300).contains($0) })
        #expect(run.readings("primary", \.lossPct, from: 50, to: 85).allSatisfy { $0 > 3 })
        #expect((46...55).contains(median(run.readings("primary", \.rttMs, from: 105, to: 115))))
        #expect((57...65).contains(median(run.readings("backup", \.rttMs, from: 55, to: 70))))
        #expect(run.caption(containing: "high alarm") == 50 && lossHigh.at <= 50)
        #expect(run.caption(containing: "Failover") == 58)
        // Recovery from 1:25 over 15 s: every alarm has cleared by 1:45, and nothing else sounded.
        for (id, last) in run.lastListed { #expect(last < 105, "\(id) still listed at \(last)") }
        #expect(Set(run.raises.map(\.id)).isSubset(of: ["LINK.primary.RTT", "LINK.primary.LOSS", "LINK.primary.VIDEO"]),
                "\(run.raises)")
        #expect(run.raises.allSatisfy { $0.at >= 20 }, "nothing before the congestion: \(run.raises)")
    }

    @Test("link-loss: a path down (medium), then telemetry lost (high) for 20 s, then everything clears", arguments: Self.seeds)
    func linkLoss(seed: UInt64) throws {
        let run = StoryRun.play(try StoryRun.shipped("link-loss"), seed: seed)
        let down = try #require(run.first("LINK.primary.DOWN", .medium))
        #expect((25...27).contains(down.at), "\(down)")
        let lost = try #require(run.first("TELEMETRY.LOST", .high))
        #expect((35.5...37).contains(lost.at), "\(lost)")
        // Both paths down at 0:35: no path up is high at once, before the silence is long enough.
        let allDown = try #require(run.first("LINK.ALL.DOWN", .high))
        #expect(allDown.at == 35, "\(allDown)")
        // "280 km, about 40 ms".
        #expect((37...43).contains(median(run.readings("primary", \.rttMs, from: 0, to: 25))))
        // The simulator really stops: no frame from just after 0:35 to 0:55.
        #expect(run.silentBatches.first.map { (35...35.2).contains($0) } == true, "\(run.silentBatches.prefix(3))")
        #expect(run.silentBatches.count >= 190 && run.silentBatches.count <= 200, "\(run.silentBatches.count)")
        #expect(run.silentBatches.allSatisfy { $0 > 35 && $0 < 55 })
        // TELEMETRY.LOST clears with the first frame; the path alarms 2 s after the paths are up.
        #expect(run.lastListed["TELEMETRY.LOST"].map { $0 < 55.5 } == true, "\(run.lastListed)")
        for (id, last) in run.lastListed { #expect(last < 60, "\(id) still listed at \(last)") }
        #expect(run.raises.allSatisfy { $0.at >= 25 }, "nothing before the cut: \(run.raises)")
        #expect(run.caption(containing: "Backup down too") == 35)
        #expect(run.caption(containing: "Paths restored") == 55)
    }

    @Test("instrument-fault: the fault raises high alarms at 0:35; the replacement clears them", arguments: Self.seeds)
    func instrumentFault(seed: UInt64) throws {
        let run = StoryRun.play(try StoryRun.shipped("instrument-fault"), seed: seed)
        let derived = try #require(run.first("PSM2.INSTRUMENT.FAULT", .high))
        let robot = try #require(run.first("PSM2.TOOL_FAULT", .high))
        #expect((35...36.5).contains(derived.at), "\(derived)")
        #expect((35...35.5).contains(robot.at), "\(robot)")
        // The faulty instrument is out at 0:47: its FAULT clears 2 s later; the robot's at 0:56.
        #expect(run.lastListed["PSM2.INSTRUMENT.FAULT"].map { (47...51).contains($0) } == true, "\(run.lastListed)")
        #expect(run.lastListed["PSM2.TOOL_FAULT"].map { (55.9...56.5).contains($0) } == true, "\(run.lastListed)")
        #expect(Set(run.raises.map(\.id)) == ["PSM2.INSTRUMENT.FAULT", "PSM2.TOOL_FAULT"], "\(run.raises)")
        #expect(run.caption(containing: "PSM2's forceps report a fault") == 35)
        // "400 km, about 40 ms".
        #expect((38...45).contains(median(run.readings("primary", \.rttMs, from: 0, to: 150))))
    }

    @Test("long-distance: only the expected low round-trip alarms, from the first seconds, and a caption says why", arguments: Self.seeds)
    func longDistance(seed: UInt64) throws {
        let run = StoryRun.play(try StoryRun.shipped("long-distance"), seed: seed)
        let primary = try #require(run.first("LINK.primary.RTT", .low))
        #expect(primary.at <= 3, "\(primary)")
        #expect(run.highest("LINK.primary.RTT") == .low)
        #expect(run.highest("LINK.backup.RTT") == .low)
        #expect(Set(run.raises.map(\.id)) == ["LINK.primary.RTT", "LINK.backup.RTT"], "\(run.raises)")
        let why = try #require(run.caption(containing: "is expected here"))
        #expect(why <= 20)
        // "about 120 ms".
        #expect((115...126).contains(median(run.readings("primary", \.rttMs, from: 0, to: 150))))
    }
}

/// The middle value (the mean of the middle two); nan for none.
func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
