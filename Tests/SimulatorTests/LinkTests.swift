import Testing
import Simulator
import Telemetry

@Suite("Network link")
struct LinkTests {
    static func tenMinutes(seed: UInt64) -> [Frame] {
        simulate(SimulatorOptions(seed: seed, armRateHz: 10), seconds: 600)
    }

    @Test("the primary round trip has a long-distance median and a tail with spikes and congestion",
          arguments: [1, 2, 3, 17] as [UInt64])
    func primaryRoundTrip(seed: UInt64) {
        let rtt = Self.tenMinutes(seed: seed).links("primary").compactMap(\.sample.rttMs)
        #expect(rtt.count > 5_800)
        let median = quantile(rtt, 0.5), p99 = quantile(rtt, 0.99)
        #expect((110...130).contains(median), "median \(median) ms")
        #expect((150...300).contains(p99), "p99 \(p99) ms")
        #expect(rtt.min()! > 95)
    }

    @Test("the backup path is about 40 ms slower and always up")
    func backupPath() {
        let frames = Self.tenMinutes(seed: 5)
        let backup = frames.links("backup")
        #expect(backup.allSatisfy { $0.sample.up == true && $0.sample.rttMs != nil })
        let primaryMedian = quantile(frames.links("primary").compactMap(\.sample.rttMs), 0.5)
        let backupMedian = quantile(backup.compactMap(\.sample.rttMs), 0.5)
        #expect((30...55).contains(backupMedian - primaryMedian))
    }

    @Test("jitter, loss, bandwidth and video are in a telesurgery link's usual ranges")
    func otherMetrics() {
        let primary = simulate(SimulatorOptions(seed: 6, armRateHz: 10), seconds: 3600).links("primary")
            .map(\.sample).filter { $0.up == true }
        let jitter = primary.map { $0.jitterMs! }
        #expect((2...8).contains(quantile(jitter, 0.5)))
        #expect(quantile(jitter, 0.9) <= 8)
        let loss = primary.map { $0.lossPct! }
        #expect(quantile(loss, 0.5) <= 0.3)
        #expect(quantile(loss, 0.9) <= 0.3)
        #expect(loss.contains { $0 >= 1 }, "no loss burst in an hour")
        #expect(loss.allSatisfy { $0 >= 0 && $0 < 5 })
        let bandwidth = primary.map { $0.bandwidthMbps! }
        #expect((40...60).contains(quantile(bandwidth, 0.5)))
        let fps = primary.map { $0.videoFps! }
        #expect(quantile(fps, 0.5) == 59.9)
        #expect(fps.min()! < 57, "video never dipped")
        #expect(fps.max()! <= 60)
        #expect(primary.allSatisfy { $0.videoDelayMs! > $0.rttMs! / 2 })
    }

    @Test("the video frame rate dips when loss bursts")
    func videoDipsWithLoss() {
        let primary = simulate(SimulatorOptions(seed: 6, armRateHz: 10), seconds: 1800).links("primary")
            .map(\.sample).filter { $0.up == true }
        let lossy = primary.filter { $0.lossPct! >= 1 }.map { $0.videoFps! }
        let clean = primary.filter { $0.lossPct! < 0.3 }.map { $0.videoFps! }
        #expect(!lossy.isEmpty)
        #expect(quantile(lossy, 0.5) < quantile(clean, 0.5) - 2)
    }

    @Test("a congestion episode takes the round trip past 200 ms for about ten seconds")
    func degradationEpisode() {
        let primary = Self.tenMinutes(seed: 8).links("primary")
        let run = longestRun(primary) { ($0.rttMs ?? 0) > 200 }
        #expect(run != nil)
        if let run { #expect((6...20).contains(run.end - run.start), "\(run)") }
    }

    @Test("the primary path goes down for some seconds and comes back while the backup carries on",
          arguments: [1, 2, 3] as [UInt64])
    func primaryOutage(seed: UInt64) {
        let frames = simulate(SimulatorOptions(seed: seed, armRateHz: 10), seconds: 1200)
        let primary = frames.links("primary")
        let down = primary.filter { $0.sample.up == false }
        #expect(!down.isEmpty)
        #expect(down.allSatisfy { $0.sample.rttMs == nil })
        let run = longestRun(primary) { $0.up == false }
        if let run { #expect((3...13).contains(run.end - run.start)) }
        if let firstDown = down.first?.t {
            #expect(primary.contains { $0.t > firstDown && $0.sample.up == true }, "primary never came back")
        }
        #expect(frames.links("backup").allSatisfy { $0.sample.up == true })
        let notes = frames.events("note").compactMap(\.note.text)
        #expect(notes.contains { $0.hasPrefix("Primary link down") })
        #expect(notes.contains("Primary link restored"))
    }
}
