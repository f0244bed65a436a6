import Foundation
import Testing

@Suite("Alarms in a real terminal", .serialized)
struct AlarmsInTerminalTests {
    @Test("a link degradation in a recording raises the alarm on screen with its marker; a acknowledges it; the log holds both")
    func degradationRaisesAndAcknowledges() throws {
        let dir = CLI.temporaryDirectory()
        let recording = dir.appendingPathComponent("degraded.ndjson").path
        let log = dir.appendingPathComponent("alarms.log").path
        var lines = [#"{"t":0,"type":"session","v":1,"id":"DEGRADED-1","arms":[]}"#]
        for k in 1...600 {
            let t = Double(k) / 10
            let rtt = t >= 2 ? 250.0 : 110.0  // sustained above 200 ms: a medium alarm after 1 s
            lines.append(#"{"t":\#(t),"type":"link","up":true,"rtt_ms":\#(rtt),"jitter_ms":3}"#)
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: recording, atomically: true, encoding: .utf8)

        let tmux = try TmuxSession(width: 120, height: 40,
                                   command: "LANG=C.UTF-8 \(CLI.binary) replay \(recording) --quiet --alarm-log \(log)")
        let raised = tmux.waitFor(timeout: 15) { $0.contains("primary round trip 250 ms") && $0.contains("** ") }
        #expect(raised.contains("primary round trip 250 ms"), "the alarm is on screen:\n\(raised)")
        #expect(raised.contains("**"), "with its IEC 60601-1-8 marker")
        tmux.send("a")
        let acknowledged = tmux.waitFor { $0.contains("ACK") }
        #expect(acknowledged.contains("ACK"), "the alarm is marked acknowledged:\n\(acknowledged)")
        tmux.send("q")
        #expect(tmux.waitFor { $0.contains("EXIT=") }.contains("EXIT=0"))
        let written = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(written.contains("RAISE") && written.contains("LINK.primary.RTT"), "log: \(written)")
        #expect(written.contains("ACK"), "log: \(written)")
    }

    @Test("headless status lines carry the derived alarm with its marker")
    func headlessShowsDerivedAlarm() throws {
        let dir = CLI.temporaryDirectory()
        let recording = dir.appendingPathComponent("lossy.ndjson").path
        var lines = [#"{"t":0,"type":"session","v":1,"id":"LOSSY","arms":[]}"#]
        for k in 1...40 { lines.append(#"{"t":\#(Double(k) / 10),"type":"link","up":true,"loss_pct":4.5}"#) }
        try (lines.joined(separator: "\n") + "\n").write(toFile: recording, atomically: true, encoding: .utf8)
        let result = try CLI.run(["replay", recording, "--headless", "--speed", "2", "--alarm-log", dir.appendingPathComponent("a.log").path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("*** LINK.primary.LOSS"), "\(result.stdout)")
    }
}
