#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOEmbedded
import Synchronization
import Telemetry
import Testing
@testable import TelemetrySources

/// `SURGTOP_LATENCY_LOG`: the socket-to-screen probe, on a fake clock, and its log read back.
@Suite("Latency probe")
struct LatencyProbeTests {
    /// A probe on a clock the test sets, logging into memory; counts how often it read the clock.
    final class Bench: Sendable {
        private let box = Mutex<(now: Double, reads: Int, log: [UInt8])>((0, 0, []))
        var probe: LatencyProbe {
            LatencyProbe(clock: { [self] in box.withLock { $0.reads += 1; return $0.now } },
                         write: { [self] bytes in box.withLock { $0.log += bytes } })
        }

        func at(_ t: Double) { box.withLock { $0.now = t } }
        var clockReads: Int { box.withLock { $0.reads } }
        var text: String { String(decoding: box.withLock { $0.log }, as: UTF8.self) }
        var log: LatencyLog { LatencyLog(box.withLock { $0.log }) }
    }

    static func arm(_ t: Double) -> SourceEvent {
        .decoded(.frame(Frame(t: t, body: .arm(ArmSample(arm: "PSM1", position: [0.1])))))
    }

    @Test("off unless SURGTOP_LATENCY_LOG names a file: no probe, so nothing is stamped or recorded")
    func offByDefault() throws {
        #expect(LatencyProbe.fromEnvironment([:]) == nil)
        #expect(LatencyProbe.fromEnvironment(["SURGTOP_LATENCY_LOG": ""]) == nil)
        #expect(LatencyProbe.fromEnvironment(["SURGTOP_LATENCYLOG": "/tmp/x"]) == nil)
        // A file that cannot be written: said once on stderr, and no probe (the console goes on).
        #expect(LatencyProbe.fromEnvironment(["SURGTOP_LATENCY_LOG": "/nonexistent-dir/latency.log"]) == nil)
        // The test process runs without the variable: the TCP sources' receivers get no probe.
        if SystemEnvironment.latencyLogUnset {
            #expect(LatencyProbe.active == nil)
            #expect(LineReceiver.Limits().arrivals == nil)
        }
    }

    @Test("with it on: each read's frames count from that read to the first screen after they were drained")
    func latencyFromStamps() {
        let bench = Bench()
        let probe = bench.probe
        let inbox = SourceInbox()
        let sink = probe.sink(into: inbox)
        bench.at(1.000); probe.readReturned()
        for k in 0..<3 { sink(Self.arm(Double(k))) }
        bench.at(1.005); probe.readReturned()
        for k in 3..<5 { sink(Self.arm(Double(k))) }
        sink(.log("not a frame"))
        bench.at(1.010)
        #expect(probe.drain(inbox).count == 6)
        bench.at(1.020); probe.readReturned()
        sink(Self.arm(5))  // after the drain: shown by the screen after the next one
        bench.at(1.030); probe.presented()
        bench.at(1.040)
        #expect(probe.drain(inbox).count == 1)
        bench.at(1.060); probe.presented()
        probe.finish()
        #expect(bench.text == "30000 3\n25000 2\n40000 1\n")
        let log = bench.log
        #expect(log.frames == 6 && log.dropped == 0 && log.badLines == 0)
        #expect(log.percentile(50) == 0.030)
        #expect(log.percentile(99) == 0.040)
    }

    @Test("a screen with nothing new reads no clock and logs nothing; frames with no read (a file) are not measured")
    func nothingToMeasure() {
        let bench = Bench()
        let probe = bench.probe
        let inbox = SourceInbox()
        let sink = probe.sink(into: inbox)
        sink(Self.arm(0))  // no read returned yet: `live -` or a replay
        #expect(probe.drain(inbox).count == 1)
        probe.presented()
        probe.presented()
        probe.finish()
        #expect(bench.clockReads == 0)
        #expect(bench.text.isEmpty)
    }

    @Test("arm samples the inbox sheds in a flood are never shown: counted apart, not measured")
    func shedSamplesCounted() {
        let bench = Bench()
        let probe = bench.probe
        let inbox = SourceInbox(shedArmSamplesAbove: 2)
        let sink = probe.sink(into: inbox)
        bench.at(5); probe.readReturned()
        for k in 0..<10 { sink(Self.arm(Double(k))) }
        #expect(inbox.droppedFrames == 8)
        _ = probe.drain(inbox)
        bench.at(5.25); probe.presented()
        probe.finish()
        probe.finish()  // once only
        #expect(bench.text == "250000 2\ndropped 8\n")
        #expect(bench.log.dropped == 8 && bench.log.frames == 2)
    }

    @Test("a line split across reads is stamped by the read that completed it (through the TCP receiver)")
    func splitLineStampedByItsLastRead() throws {
        let bench = Bench()
        let probe = bench.probe
        let inbox = SourceInbox()
        let sink = probe.sink(into: inbox)
        var limits = LineReceiver.Limits()
        limits.arrivals = probe
        let delegate = LineReceiver.Delegate(opened: { _, _ in true }, decoded: { sink(.decoded($0)) }, closed: { _, _, _ in })
        let channel = EmbeddedChannel(handler: LineReceiver(delegate: delegate, limits: limits))
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        let peer = try SocketAddress(ipAddress: "192.0.2.7", port: 40123)
        channel.remoteAddress = peer
        try channel.connect(to: peer).wait()

        let session = TCPTest.session("S", arms: ["PSM1"])
        let arm = Array(TCPTest.arm("PSM1", t: 0.01).utf8)
        bench.at(2.0)
        try channel.writeInbound(ByteBuffer(bytes: Array(session.utf8) + arm[0..<10]))  // the session frame, half an arm line
        bench.at(2.5)
        try channel.writeInbound(ByteBuffer(bytes: Array(arm[10...])))  // the rest of the arm line
        bench.at(2.6)
        #expect(probe.drain(inbox).count == 2)
        bench.at(3.0); probe.presented()
        probe.finish()
        #expect(bench.text == "1000000 1\n500000 1\n")
    }

    @Test("the log read back: percentiles over frames (nearest rank), drops summed, bad lines counted")
    func logPercentiles() {
        let text = "5000 1\n1000 98\n# a comment\n9000 1\ndropped 3\ndropped 4\n-5 1\n100 0\n12 x\n\n"
        let log = LatencyLog(Array(text.utf8))
        #expect(log.frames == 100)
        #expect(log.latencies.count == 3)
        #expect(log.dropped == 7)
        #expect(log.badLines == 4)
        #expect(log.percentile(50) == 0.001)
        #expect(log.percentile(98) == 0.001)
        #expect(log.percentile(99) == 0.005)
        #expect(log.percentile(100) == 0.009)
        #expect(log.maximum == 0.009)
        let huge = LatencyLog(Array("99999999999999999999999 1\n3 9223372036854775807\n4 9223372036854775807\n".utf8))
        #expect(huge.badLines == 1)
        #expect(huge.frames == Int.max)
        #expect(huge.percentile(99) == 0.000003)
        #expect(LatencyLog([]).percentile(50) == nil)
        #expect(LatencyLog([]).maximum == nil)
    }
}

enum SystemEnvironment {
    /// Whether this test process runs without `SURGTOP_LATENCY_LOG` (as it should).
    static var latencyLogUnset: Bool {
        guard let value = getenv(LatencyProbe.environmentVariable) else { return true }
        return String(cString: value).isEmpty
    }
}
