#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOEmbedded
import Synchronization
import Telemetry
import Testing
@testable import TelemetrySources

/// The inbound end of a TCP connection, on an `EmbeddedChannel`: no socket, no thread, and the
/// handshake deadline on the embedded loop's own clock.
@Suite("Line receiver (embedded channel)")
struct LineReceiverTests {
    /// What the receiver told its owner.
    final class Recorder: Sendable {
        private let box = Mutex<(outcomes: [DecodeOutcome], logs: [String], opened: [String],
                                 endings: [LineReceiver.Ending])>(([], [], [], []))
        let accepts: Bool

        init(accepts: Bool = true) {
            self.accepts = accepts
        }

        var delegate: LineReceiver.Delegate {
            LineReceiver.Delegate(
                opened: { [self] _, peer in
                    box.withLock { $0.opened.append(peer) }
                    return accepts
                },
                decoded: { [self] outcome in box.withLock { $0.outcomes.append(outcome) } },
                log: { [self] line in box.withLock { $0.logs.append(line) } },
                closed: { [self] _, _, ending in box.withLock { $0.endings.append(ending) } })
        }

        var outcomes: [DecodeOutcome] { box.withLock { $0.outcomes } }
        var logs: [String] { box.withLock { $0.logs } }
        var opened: [String] { box.withLock { $0.opened } }
        var endings: [LineReceiver.Ending] { box.withLock { $0.endings } }
        var briefs: [String] { outcomes.map { TCPTest.brief(.decoded($0)) } }
        var frames: [Frame] { outcomes.compactMap { if case .frame(let f) = $0 { f } else { nil } } }
        var errors: [DecodeError] { outcomes.compactMap { if case .error(let e) = $0 { e } else { nil } } }
    }

    /// A receiver on an embedded channel, connected from 192.0.2.7:40123.
    struct Wire {
        let channel: EmbeddedChannel
        let recorder: Recorder

        init(_ limits: LineReceiver.Limits = LineReceiver.Limits(), accepts: Bool = true) throws {
            recorder = Recorder(accepts: accepts)
            channel = EmbeddedChannel(handler: LineReceiver(delegate: recorder.delegate, limits: limits))
            let peer = try SocketAddress(ipAddress: "192.0.2.7", port: 40123)
            channel.remoteAddress = peer
            try channel.connect(to: peer).wait()
        }

        func send(_ text: String) throws {
            try channel.writeInbound(ByteBuffer(string: text))
        }

        func send(_ bytes: [UInt8]) throws {
            try channel.writeInbound(ByteBuffer(bytes: bytes))
        }

        /// The peer goes away.
        func hangUp() throws {
            try channel.close().wait()
        }

        /// Nothing was ever written towards the gateway.
        var wroteNothing: Bool {
            (try? channel.readOutbound(as: ByteBuffer.self)) == nil
        }

        func finish() {
            _ = try? channel.finish(acceptAlreadyClosed: true)
        }
    }

    static func sessionV(_ version: Int) -> String {
        #"{"t":0,"type":"session","v":\#(version),"id":"G2","arms":[{"id":"PSM1","kind":"PSM","joints":[{"name":"yaw","unit":"rad"}]}]}"# + "\n"
    }

    static let refusalV2 = "refused its stream: its session frame declares telemetry format version 2, "
        + "and this console reads version 1 only"

    // MARK: - framing

    @Test("the peer is named, and the connection offered to the owner before anything is read")
    func opened() throws {
        let wire = try Wire()
        defer { wire.finish() }
        #expect(wire.recorder.opened == ["192.0.2.7:40123"])
        #expect(wire.channel.isActive)
    }

    @Test("lines split across reads, down to a byte at a time, are decoded whole and in order")
    func linesSplitAcrossReads() throws {
        let wire = try Wire()
        defer { wire.finish() }
        let text = TCPTest.session("S", arms: ["PSM1"]) + TCPTest.arm("PSM1", t: 0.01) + TCPTest.arm("PSM1", t: 0.02)
        let bytes = Array(text.utf8)
        // The first line in three uneven pieces, the second a byte at a time, the third in one.
        let firstEnd = bytes.firstIndex(of: 0x0A)! + 1
        let secondEnd = bytes[firstEnd...].firstIndex(of: 0x0A)! + 1
        try wire.send(Array(bytes[0..<7]))
        try wire.send(Array(bytes[7..<(firstEnd - 1)]))
        #expect(wire.recorder.outcomes.isEmpty, "no LF yet, no line")
        try wire.send(Array(bytes[(firstEnd - 1)..<(firstEnd + 3)]))
        #expect(wire.recorder.briefs == ["session 0.0"])
        for b in bytes[(firstEnd + 3)..<secondEnd] { try wire.send([b]) }
        try wire.send(Array(bytes[secondEnd...]))
        #expect(wire.recorder.briefs == ["session 0.0", "arm PSM1 0.01", "arm PSM1 0.02"])
        #expect(wire.recorder.errors.isEmpty)
        #expect(wire.wroteNothing)
    }

    @Test("CRLF line ends decode like LF")
    func crlf() throws {
        let wire = try Wire()
        defer { wire.finish() }
        let crlf = { (line: String) in String(line.dropLast()) + "\r\n" }
        try wire.send(crlf(TCPTest.session("S", arms: ["PSM1"])) + crlf(TCPTest.arm("PSM1", t: 0.5)))
        // A CR and its LF in different reads.
        let arm = TCPTest.arm("PSM1", t: 0.75).dropLast()
        try wire.send(arm + "\r")
        try wire.send("\n")
        #expect(wire.recorder.briefs == ["session 0.0", "arm PSM1 0.5", "arm PSM1 0.75"])
    }

    @Test("blank lines are not reported, but count as lines")
    func blankLines() throws {
        let wire = try Wire()
        defer { wire.finish() }
        try wire.send("\n\r\n   \n" + TCPTest.session("S", arms: ["PSM1"]) + "\n\t\n" + "not json\n")
        #expect(wire.recorder.briefs == ["session 0.0", "error line 7"])
    }

    @Test("a line over 64 KiB is reported once and skipped; the stream goes on; memory does not follow it")
    func overlongLine() throws {
        let wire = try Wire()
        defer { wire.finish() }
        try wire.send(TCPTest.session("S", arms: ["PSM1"]))
        // 100 KiB of a line, in 4 KiB reads, then its LF and a good line in the same read.
        let chunk = String(repeating: "x", count: 4096)
        for _ in 0..<25 { try wire.send(chunk) }
        try wire.send("\n" + TCPTest.arm("PSM1", t: 1))
        #expect(wire.recorder.briefs == ["session 0.0", "error line 2", "arm PSM1 1.0"])
        let error = try #require(wire.recorder.errors.first)
        #expect(error.kind == .tooLong)
        #expect(error.reason == "line longer than 65536 bytes, skipped")
    }

    @Test("a line of exactly 64 KiB is decoded; one byte more is too long")
    func lineAtTheLimit() throws {
        let wire = try Wire()
        defer { wire.finish() }
        try wire.send(TCPTest.session("S", arms: ["PSM1"]))
        let arm = String(TCPTest.arm("PSM1", t: 1).dropLast())  // without LF
        let atLimit = arm + String(repeating: " ", count: FrameDecoder.maxLineBytes - arm.utf8.count)
        #expect(atLimit.utf8.count == 65_536)
        try wire.send(atLimit + "\n")
        try wire.send(atLimit + " \n")
        #expect(wire.recorder.briefs == ["session 0.0", "arm PSM1 1.0", "error line 3"])
    }

    // MARK: - the end of a connection

    @Test("the peer hangs up: a last line without LF is decoded, then the ending is reported")
    func lastLineOnClose() throws {
        let wire = try Wire()
        defer { wire.finish() }
        let text = TCPTest.session("S", arms: ["PSM1"]) + String(TCPTest.arm("PSM1", t: 3).dropLast())
        try wire.send(text)
        #expect(wire.recorder.briefs == ["session 0.0"])
        try wire.hangUp()
        #expect(wire.recorder.briefs == ["session 0.0", "arm PSM1 3.0"])
        let ending = try #require(wire.recorder.endings.first)
        #expect(wire.recorder.endings.count == 1)
        #expect(ending.reason == "connection closed by peer")
        #expect(!ending.byConsole)
        #expect(ending.receivedBytes == text.utf8.count)
        #expect(ending.receivedFrames == 2)
    }

    @Test("a reset is reported by its reason")
    func reset() throws {
        let wire = try Wire()
        defer { wire.finish() }
        try wire.send("garbage")
        wire.channel.pipeline.fireErrorCaught(IOError(errnoCode: ECONNRESET, reason: "read(descriptor:pointer:size:)"))
        #expect(!wire.channel.isActive)
        let ending = try #require(wire.recorder.endings.first)
        #expect(ending.reason == "connection reset by peer")
        #expect(!ending.byConsole)
        #expect(ending.receivedBytes == 7 && ending.receivedFrames == 0)
        #expect(wire.recorder.briefs == ["error line 1"], "the partial line is still decoded")
    }

    @Test("a connection the owner refuses is closed unread, and no ending is reported")
    func refusedByOwner() throws {
        let wire = try Wire(accepts: false)
        defer { wire.finish() }
        #expect(!wire.channel.isActive)
        try wire.send(TCPTest.session("S", arms: ["PSM1"]))
        #expect(wire.recorder.outcomes.isEmpty)
        #expect(wire.recorder.endings.isEmpty)
        #expect(wire.wroteNothing)
    }

    // MARK: - a session frame of another version

    @Test("a v≠1 session frame refuses the stream: reported once, the channel closed, nothing after it decoded")
    func versionRefused() throws {
        let wire = try Wire()
        defer { wire.finish() }
        // The refused frame and more lines in one read, then more reads.
        let first = "not json\n" + Self.sessionV(2) + TCPTest.arm("PSM1", t: 0.1) + TCPTest.session("S", arms: ["PSM1"])
        try wire.send(first)
        #expect(!wire.channel.isActive, "the console closed it")
        #expect(wire.recorder.briefs == ["error line 1", "error line 2"])
        let refusal = try #require(wire.recorder.errors.last)
        #expect(refusal.kind == .unsupportedVersion(2))
        let ending = try #require(wire.recorder.endings.first)
        #expect(ending.reason == Self.refusalV2)
        #expect(ending.byConsole)
        #expect(ending.receivedFrames == 0)
        #expect(ending.receivedBytes == first.utf8.count)

        // Bytes that still arrive are ignored: while the handler is in place, and after.
        try wire.send(TCPTest.session("S", arms: ["PSM1"]) + TCPTest.arm("PSM1", t: 0.2))
        wire.channel.embeddedEventLoop.run()
        try wire.send(TCPTest.arm("PSM1", t: 0.3))
        #expect(wire.recorder.briefs == ["error line 1", "error line 2"])
        #expect(wire.recorder.endings.count == 1)
        #expect(wire.wroteNothing)
    }

    @Test("a v≠1 session frame as the last line without LF refuses the stream too")
    func versionRefusedAtTheEnd() throws {
        let wire = try Wire()
        defer { wire.finish() }
        try wire.send(TCPTest.session("S", arms: ["PSM1"]) + String(Self.sessionV(3).dropLast()))
        try wire.hangUp()
        #expect(wire.recorder.briefs == ["session 0.0", "error line 2"])
        let ending = try #require(wire.recorder.endings.first)
        #expect(ending.reason.hasPrefix("refused its stream: its session frame declares telemetry format version 3"))
        #expect(ending.byConsole)
        #expect(ending.receivedFrames == 1)
    }

    @Test("after a refusal, a version 1 session on the next connection is read afresh")
    func nextConnectionIsFresh() throws {
        let limits = LineReceiver.Limits()
        let refused = try Wire(limits)
        defer { refused.finish() }
        try refused.send(Self.sessionV(2))
        let next = try Wire(limits)
        defer { next.finish() }
        try next.send(TCPTest.session("S", arms: ["PSM1"]) + TCPTest.arm("PSM1", t: 1))
        #expect(next.recorder.briefs == ["session 0.0", "arm PSM1 1.0"])
        #expect(next.channel.isActive)
    }

    // MARK: - the listener's handshake deadline, on the embedded clock

    @Test("a peer silent for the handshake time is dropped at the deadline, not before")
    func silentPeerDropped() throws {
        let wire = try Wire(LineReceiver.Limits(handshakeTimeout: 5))
        defer { wire.finish() }
        wire.channel.embeddedEventLoop.advanceTime(by: .milliseconds(4_999))
        #expect(wire.channel.isActive)
        #expect(wire.recorder.endings.isEmpty)
        wire.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!wire.channel.isActive)
        let ending = try #require(wire.recorder.endings.first)
        #expect(ending.reason == "sent no valid frame within 5 s of connecting (0 bytes received)")
        #expect(ending.byConsole)
        #expect(wire.wroteNothing)
    }

    @Test("a peer trickling bytes, or sending only bad lines, is dropped at the deadline all the same")
    func tricklingPeerDropped() throws {
        let wire = try Wire(LineReceiver.Limits(handshakeTimeout: 0.4))
        defer { wire.finish() }
        let text = Array(TCPTest.session("SLOW", arms: ["PSM1"]).utf8)
        var sent = 0
        while wire.channel.isActive {
            try wire.send([text[sent]])
            sent += 1
            wire.channel.embeddedEventLoop.advanceTime(by: .milliseconds(25))
        }
        #expect(sent == 16, "dropped at 0.4 s, after 16 bytes 25 ms apart")
        #expect(wire.recorder.endings.map(\.reason) == ["sent no valid frame within 0.4 s of connecting (16 bytes received)"])

        let bad = try Wire(LineReceiver.Limits(handshakeTimeout: 1.5))
        defer { bad.finish() }
        try bad.send("x\n")
        bad.channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(bad.recorder.endings.map(\.reason) == ["sent no valid frame within 1.5 s of connecting (2 bytes received)"])

        let one = try Wire(LineReceiver.Limits(handshakeTimeout: 1))
        defer { one.finish() }
        try one.send("{")
        one.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(one.recorder.endings.map(\.reason) == ["sent no valid frame within 1 s of connecting (1 byte received)"])
    }

    @Test("after its first frame, a peer that falls silent is dropped past the idle time, a tenth of it late at most")
    func silentAfterFirstFrame() throws {
        let wire = try Wire(LineReceiver.Limits(handshakeTimeout: 5, idleTimeout: 5))
        defer { wire.finish() }
        try wire.send(TCPTest.session("S", arms: ["PSM1"]))
        // Frames every second keep it.
        for k in 1...20 {
            wire.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
            try wire.send("{\"t\":\(k),\"type\":\"event\",\"kind\":\"x\"}\n")
        }
        #expect(wire.channel.isActive)
        // Then nothing: kept for 5 s of silence, closed by 5.5 s (it was 5 to 10 s).
        wire.channel.embeddedEventLoop.advanceTime(by: .milliseconds(4_999))
        #expect(wire.channel.isActive)
        wire.channel.embeddedEventLoop.advanceTime(by: .milliseconds(501))
        #expect(!wire.channel.isActive)
        let ending = try #require(wire.recorder.endings.first)
        #expect(ending.reason == "sent no valid frame for 5 s (silent, or a half-open connection)")
        #expect(ending.byConsole && ending.receivedFrames == 21)
        #expect(ending.silence == 5, "the data stopped 5 s before the close")
        #expect(wire.wroteNothing)
    }

    @Test("the idle time counts from connecting too: a peer that never sends is dropped by it, without a handshake time")
    func idleCountsFromConnecting() throws {
        let wire = try Wire(LineReceiver.Limits(handshakeTimeout: nil, idleTimeout: 2))
        defer { wire.finish() }
        wire.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1_999))
        #expect(wire.channel.isActive)
        wire.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!wire.channel.isActive)
        let ending = try #require(wire.recorder.endings.first)
        #expect(ending.reason == "sent no valid frame within 2 s of connecting (0 bytes received)")
        #expect(ending.byConsole && ending.silence == 2)
        #expect(wire.wroteNothing)
    }

    @Test("frames spaced just under the idle time keep the connection")
    func framesJustInTime() throws {
        let wire = try Wire(LineReceiver.Limits(handshakeTimeout: nil, idleTimeout: 1))
        defer { wire.finish() }
        try wire.send(TCPTest.session("S", arms: ["PSM1"]))
        for k in 1...30 {
            wire.channel.embeddedEventLoop.advanceTime(by: .milliseconds(850))
            try wire.send("{\"t\":\(k),\"type\":\"event\",\"kind\":\"x\"}\n")
        }
        #expect(wire.channel.isActive)
        #expect(wire.recorder.endings.isEmpty)
    }

    @Test("a valid frame within the handshake time keeps the connection, however long it then stays")
    func validFrameKeepsTheSlot() throws {
        let wire = try Wire(LineReceiver.Limits(handshakeTimeout: 5))
        defer { wire.finish() }
        wire.channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        try wire.send(TCPTest.session("S", arms: ["PSM1"]))
        wire.channel.embeddedEventLoop.advanceTime(by: .seconds(3_600))
        #expect(wire.channel.isActive)
        #expect(wire.recorder.endings.isEmpty)
    }

    @Test("without a handshake time (the client) a silent peer is kept")
    func noHandshakeForTheClient() throws {
        let wire = try Wire()
        defer { wire.finish() }
        wire.channel.embeddedEventLoop.advanceTime(by: .seconds(3_600))
        #expect(wire.channel.isActive)
    }

    // MARK: - holding a flood back

    @Test("reading pauses while the consumer is behind and resumes under half the limit; logged once")
    func holdBack() throws {
        let backlog = Atomic<Int>(0)
        let limits = LineReceiver.Limits(handshakeTimeout: nil,
                                         backlog: { backlog.load(ordering: .relaxed) }, holdBackAbove: 100)
        let wire = try Wire(limits)
        defer { wire.finish() }
        /// The last autoRead the receiver set (an embedded channel keeps the latest value of each option).
        func autoRead() -> Bool? {
            wire.channel.options.lazy.compactMap { $0.option is ChannelOptions.Types.AutoReadOption ? $0.value as? Bool : nil }.first
        }
        try wire.send(TCPTest.session("S", arms: ["PSM1"]))
        #expect(autoRead() == nil)

        backlog.store(100, ordering: .relaxed)
        try wire.send(TCPTest.arm("PSM1", t: 1))
        #expect(autoRead() == false)
        #expect(wire.recorder.logs.count == 1)
        #expect(wire.recorder.logs.first?.hasPrefix("falling behind 192.0.2.7:40123: ") == true)

        backlog.store(50, ordering: .relaxed)  // not yet under half
        wire.channel.embeddedEventLoop.advanceTime(by: .milliseconds(10))
        #expect(autoRead() == false)
        backlog.store(49, ordering: .relaxed)
        wire.channel.embeddedEventLoop.advanceTime(by: .milliseconds(2))
        #expect(autoRead() == true)

        backlog.store(500, ordering: .relaxed)
        try wire.send(TCPTest.arm("PSM1", t: 2))
        #expect(autoRead() == false)
        #expect(wire.recorder.logs.count == 1, "logged once per connection")
        #expect(wire.recorder.briefs == ["session 0.0", "arm PSM1 1.0", "arm PSM1 2.0"], "nothing is lost")
    }
}
