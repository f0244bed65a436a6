import Telemetry
import Testing
@testable import SessionCore

/// A copy of a history (a replay keeps the session state at its checkpoints) shares its points
/// with the original: appending to either copies only the chunk written to.
@Suite("History shared between copies")
struct TimeSeriesSharingTests {
    static func full(_ capacity: Int = 3000) -> TimeSeries {
        var series = TimeSeries(capacity: capacity, interval: 0.1)
        for k in 0..<capacity { series.append(t: Double(k) / 10, value: Double(k)) }
        return series
    }

    @Test("a copy that moves on shares every chunk but the one it wrote to")
    func copyShares() {
        let kept = Self.full()
        var live = kept
        live.append(t: 300, value: -1)  // a new bucket: the ring drops its oldest point
        live.append(t: 300.05, value: -2)  // the same bucket: replaces it
        let keptChunks = Set(kept.storage.map(\.address))
        let liveChunks = Set(live.storage.map(\.address))
        #expect(keptChunks.count == (3000 + TimeSeries.chunkSize - 1) / TimeSeries.chunkSize)
        #expect(liveChunks.subtracting(keptChunks).count == 1, "only the written chunk is copied")
        // Each still reads as its own history.
        #expect(kept.points.count == 3000 && live.points.count == 3000)
        #expect(kept.points.first?.t == 0 && live.points.first?.t == 0.1)
        #expect(kept.last?.value == 2999 && live.last?.value == -2)
        #expect(Array(live.points.dropLast().map(\.value)) == Array(kept.points.dropFirst().map(\.value)))
    }

    @Test("points read in order across chunks, the ring's oldest dropped, whatever the chunking")
    func readsLikeARing() {
        var series = TimeSeries(capacity: 700, interval: 0)
        for k in 0..<2000 { series.append(t: Double(k), value: Double(k)) }
        #expect(series.points.map(\.value) == (1300..<2000).map(Double.init))
        #expect(series.recentValues(3) == [1997, 1998, 1999])
        #expect(series.storage.count <= 700 / TimeSeries.chunkSize + 2, "dropped chunks are let go")
        var same = TimeSeries(capacity: 700, interval: 0)
        for k in 1300..<2000 { same.append(t: Double(k), value: Double(k)) }
        #expect(series == same, "equal by their points, however chunked")
        series.removeAll()
        #expect(series.isEmpty && series.points.isEmpty && series.last == nil)
    }
}
