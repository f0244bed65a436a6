import Testing
@testable import Telemetry

@Suite("The sync frame (§3, §4)")
struct SyncFrameTests {
    static func decode(_ line: String) -> DecodeOutcome {
        var d = FrameDecoder()
        return d.decode(line: line)
    }

    static func reason(_ line: String) -> String? {
        if case .error(let e) = decode(line) { return e.reason }
        return nil
    }

    @Test("a sync frame gives the active alarms and the mounted instruments, field by field")
    func decodesFields() {
        let line = #"{"t":312.5,"type":"sync","alarms":[{"id":"PSM2.COLLISION","priority":"medium","kind":"technical","source":"PSM2","message":"Instrument collision detected"},{"id":"ECM.LIGHT_SOURCE","priority":"low"}],"instruments":[{"arm":"PSM1","tool":"LARGE_NEEDLE_DRIVER","state":"ENGAGED","uses_left":7,"energy":"NONE","energy_active":false},{"arm":"PSM3","tool":null}]}"#
        let expected = Frame(t: 312.5, body: .sync(SyncSnapshot(
            alarms: [AlarmReport(id: "PSM2.COLLISION", state: .raised, priority: .medium, kind: .technical, source: "PSM2",
                                 message: "Instrument collision detected"),
                     AlarmReport(id: "ECM.LIGHT_SOURCE", state: .raised, priority: .low)],
            instruments: [InstrumentSample(arm: "PSM1", tool: .model("LARGE_NEEDLE_DRIVER"), state: .engaged, usesLeft: 7,
                                           energy: EnergyMode.none, energyActive: false),
                          InstrumentSample(arm: "PSM3", tool: .none)])))
        #expect(Self.decode(line) == .frame(expected))
        #expect(FrameType.sync.rawValue == "sync" && FrameType.allCases[FrameType.sync.ordinal] == .sync)
    }

    @Test("an empty alarm list is valid, and instruments are optional")
    func emptyAndOptional() {
        #expect(Self.decode(#"{"t":0,"type":"sync","alarms":[]}"#) == .frame(Frame(t: 0, body: .sync(SyncSnapshot(alarms: [])))))
        #expect(Self.decode(#"{"t":0,"type":"sync","alarms":[],"instruments":[]}"#)
                == .frame(Frame(t: 0, body: .sync(SyncSnapshot(alarms: [], instruments: [])))))
    }

    @Test("unknown fields are ignored at the top and inside each alarm and instrument, a state member included")
    func unknownFields() {
        let line = #"{"t":1,"type":"sync","gateway":{"x":[1,2]},"alarms":[{"id":"A","state":"raised","priority":"high","extra":[{}]}],"instruments":[{"arm":"PSM1","colour":"red"}]}"#
        #expect(Self.decode(line) == .frame(Frame(t: 1, body: .sync(SyncSnapshot(
            alarms: [AlarmReport(id: "A", state: .raised, priority: .high)], instruments: [InstrumentSample(arm: "PSM1")])))))
    }

    @Test("a missing alarms array, a missing id or priority, and wrong types are bad lines with a clear reason")
    func schemaErrors() {
        #expect(Self.reason(#"{"t":0,"type":"sync"}"#) == "sync frame: missing required field 'alarms'")
        #expect(Self.reason(#"{"t":0,"type":"sync","instruments":[]}"#) == "sync frame: missing required field 'alarms'")
        #expect(Self.reason(#"{"t":0,"type":"sync","alarms":[{"priority":"low"}]}"#) == "sync frame: an alarm has no 'id'")
        #expect(Self.reason(#"{"t":0,"type":"sync","alarms":[{"id":"A"}]}"#) == "sync frame: alarm 'A' has no 'priority'")
        #expect(Self.reason(#"{"t":0,"type":"sync","alarms":[{"id":"A","priority":"urgent"}]}"#)
                == "sync frame: alarm 'A': priority must be 'high', 'medium' or 'low', not 'urgent'")
        #expect(Self.reason(#"{"t":0,"type":"sync","alarms":{}}"#) == "sync frame: field 'alarms' must be an array, not an object")
        #expect(Self.reason(#"{"t":0,"type":"sync","alarms":[1]}"#) == "sync frame: field 'alarms' must hold objects, found a number")
        #expect(Self.reason(#"{"t":0,"type":"sync","alarms":[{"id":7,"priority":"low"}]}"#)
                == "sync frame: field 'alarms' must be a string ('id'), not a number")
        #expect(Self.reason(#"{"t":0,"type":"sync","alarms":[],"instruments":[{"tool":"X"}]}"#) == "sync frame: an instrument has no 'arm'")
        #expect(Self.reason(#"{"t":0,"type":"sync","alarms":[],"instruments":[{"arm":"PSM1","uses_left":1.5}]}"#)
                == "sync frame: field 'uses_left' must be an integer, not 1.5")
        #expect(Self.reason(#"{"t":0,"type":"sync","alarms":[],"instruments":[{"arm":"PSM1","state":"MELTED"}]}"#)
                == "sync frame: instrument on 'PSM1': unknown state 'MELTED'")
        #expect(Self.reason(#"{"t":0,"type":"sync","alarms":[],"instruments":"PSM1"}"#)
                == "sync frame: field 'instruments' must be an array, not a string")
        #expect(Self.reason(#"{"t":0,"type":"sync","alarms":[{"id":"A","priority":"low"}"#) != nil, "truncated")
    }

    @Test("a huge alarms array up to the line limit decodes in full; beyond it the line is skipped")
    func hugeAlarmList() {
        let entry = #"{"id":"X","priority":"low"},"#
        let n = (FrameDecoder.maxLineBytes - 64) / entry.utf8.count
        let line = #"{"t":0,"type":"sync","alarms":["# + String(repeating: entry, count: n - 1) + #"{"id":"X","priority":"low"}]}"#
        guard case .frame(let frame) = Self.decode(line), case .sync(let sync) = frame.body else {
            Issue.record("did not decode")
            return
        }
        #expect(sync.alarms.count == n)
        let tooLong = #"{"t":0,"type":"sync","alarms":["# + String(repeating: entry, count: n + 100) + #"{"id":"X","priority":"low"}]}"#
        guard case .error(let e) = Self.decode(tooLong) else {
            Issue.record("a line over the limit decoded")
            return
        }
        #expect(e.kind == .tooLong)
    }

    @Test("the encoder writes sync compactly and it decodes back to the same frame")
    func roundTrip() {
        let frame = Frame(t: 4.5, body: .sync(SyncSnapshot(
            alarms: [AlarmReport(id: "PSM1.FAULT\u{1B}[2J", state: .raised, priority: .high, kind: .physiological, message: "a \"b\"")],
            instruments: [InstrumentSample(arm: "PSM1", tool: .none, state: InstrumentState.none, usesLeft: 0, energy: .bipolar, energyActive: true)])))
        let line = FrameEncoder().encode(frame)
        #expect(line.hasPrefix(#"{"t":4.5,"type":"sync","alarms":[{"id":"#))
        #expect(line.contains(#""instruments":[{"arm":"PSM1","tool":null,"state":"NONE","uses_left":0,"energy":"BIPOLAR","energy_active":true}]"#))
        #expect(Self.decode(String(line.dropLast())) == .frame(frame))
        let none = FrameEncoder().encode(Frame(t: 0, body: .sync(SyncSnapshot(alarms: []))))
        #expect(none == #"{"t":0,"type":"sync","alarms":[]}"# + "\n")
    }
}
