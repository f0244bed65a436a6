import Foundation
import Testing

/// `surgtop report --json` link statistics, end to end, against the exact figures a sort of every
/// sample gives, computed here from the recording itself.
@Suite("surgtop report: link percentiles in bounded memory", .serialized)
struct ReportPercentilesCLITests {
    /// Nearest rank, as the report defines its percentiles.
    static func exact(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        let index = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(sorted.count - 1, max(0, index))]
    }

    @Test("a 4-minute simulated session (2,400 samples a path): percentiles within the README's precision, max exact, mean to rounding")
    func againstTheExactFigures() throws {
        let path = CLI.temporaryDirectory().appendingPathComponent("percentiles.ndjson").path
        let sim = try CLI.run(["sim", "--out", path, "--duration", "240", "--rate", "20", "--seed", "8"])
        #expect(sim.status == 0)
        // The reference: every live value of every metric of every path, as written.
        var values: [String: [String: [Double]]] = [:]
        var down: Set<String> = []
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for line in text.split(separator: "\n") where line.contains(#""type":"link""#) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let name = object["path"] as? String ?? "primary"
            if let up = object["up"] as? Bool { if up { down.remove(name) } else { down.insert(name) } }
            guard !down.contains(name) else { continue }
            for key in ["rtt_ms", "jitter_ms", "loss_pct", "bandwidth_mbps", "video_fps", "video_delay_ms"] {
                if let v = (object[key] as? NSNumber)?.doubleValue { values[name, default: [:]][key, default: []].append(v) }
            }
        }
        let result = try CLI.run(["report", path, "--json"])
        #expect(result.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let links = try #require(report["links"] as? [[String: Any]])
        #expect(links.count == values.count)
        var checked = 0
        for link in links {
            let name = try #require(link["path"] as? String)
            for (key, reference) in values[name] ?? [:] {
                let stat = try #require(link[key] as? [String: Double], "\(name) \(key)")
                #expect(reference.count > 1024, "past the samples kept exactly: the histogram answers")
                for p in [50.0, 95, 99] {
                    let want = Self.exact(reference, p)
                    let got = try #require(stat["p\(Int(p))"])
                    #expect(abs(got - want) <= abs(want) / 2048 + 0.0005 + 1e-9, "\(name) \(key) p\(Int(p)): \(got) against \(want)")
                }
                #expect(stat["max"] == reference.max())
                let mean = reference.reduce(0, +) / Double(reference.count)
                #expect(abs(stat["mean"]! - mean) <= 1e-9 * max(1, abs(mean)))
                checked += 1
            }
        }
        #expect(checked >= 8, "both paths, their metrics")
    }
}
