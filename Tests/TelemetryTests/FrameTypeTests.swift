import Testing
@testable import Telemetry

@Suite("Frame types and their type checks (§2, §3)")
struct FrameTypeTests {
    @Test("the spec's example session decodes field by field")
    func specExample() {
        var d = FrameDecoder()
        let session = #"{"t":0,"type":"session","v":1,"id":"OR3-20261124-01","procedure":"Cholecystectomy","robot":"Four-arm laparoscopic system","surgeon_site":"Shanghai","patient_site":"Strasbourg","distance_km":9200,"started_at":"2026-11-24T08:00:00Z","arms":[{"id":"PSM1","kind":"PSM","joints":[{"name":"yaw","unit":"rad","min":-1.588,"max":1.588,"effort_max":3.32},{"name":"pitch","unit":"rad","min":-0.925,"max":0.925,"effort_max":3.32},{"name":"insertion","unit":"m","min":0,"max":0.24,"effort_max":9.88}]}]}"#
        guard case .frame(let f) = d.decode(line: session), case .session(let s) = f.body else {
            Issue.record("session did not decode")
            return
        }
        #expect(s.id == "OR3-20261124-01")
        #expect(s.surgeonSite == "Shanghai" && s.patientSite == "Strasbourg" && s.distanceKm == 9200)
        #expect(s.arms.first?.joints.map(\.name) == ["yaw", "pitch", "insertion"])
        #expect(s.arms.first?.joints[2].unit == .m)
        #expect(s.arms.first?.joints[2].effortMax == 9.88)

        #expect(d.decode(line: #"{"t":0.01,"type":"link","rtt_ms":112.4,"jitter_ms":3.1,"loss_pct":0.0,"bandwidth_mbps":48.0,"video_fps":59.9,"up":true}"#)
                == .frame(Frame(t: 0.01, body: .link(LinkSample(up: true, rttMs: 112.4, jitterMs: 3.1, lossPct: 0, bandwidthMbps: 48, videoFps: 59.9)))))
        #expect(d.decode(line: #"{"t":0.01,"type":"arm","arm":"PSM1","state":"ENABLED","homed":true,"following":true,"position":[0.12,-0.30,0.101],"velocity":[0.0,0.01,0.0],"effort":[0.4,0.9,2.1]}"#)
                == .frame(Frame(t: 0.01, body: .arm(ArmSample(arm: "PSM1", state: .enabled, homed: true, following: true,
                                                               position: [0.12, -0.30, 0.101], velocity: [0, 0.01, 0], effort: [0.4, 0.9, 2.1])))))
        #expect(d.decode(line: #"{"t":0.02,"type":"instrument","arm":"PSM1","tool":"LARGE_NEEDLE_DRIVER","state":"ENGAGED","uses_left":7,"energy":"NONE","energy_active":false}"#)
                == .frame(Frame(t: 0.02, body: .instrument(InstrumentSample(arm: "PSM1", tool: .model("LARGE_NEEDLE_DRIVER"), state: .engaged, usesLeft: 7, energy: EnergyMode.none, energyActive: false)))))
        #expect(d.decode(line: #"{"t":4.20,"type":"alarm","id":"PSM1.COLLISION","state":"raised","priority":"medium","source":"PSM1","message":"Instrument collision detected"}"#)
                == .frame(Frame(t: 4.2, body: .alarm(AlarmReport(id: "PSM1.COLLISION", state: .raised, priority: .medium, source: "PSM1", message: "Instrument collision detected")))))
        #expect(d.decode(line: #"{"t":5.00,"type":"event","kind":"clutch","text":"Surgeon clutch pressed"}"#)
                == .frame(Frame(t: 5, body: .event(EventNote(kind: "clutch", text: "Surgeon clutch pressed")))))
    }

    @Test("min_bandwidth_mbps is an optional number of the session frame, escaped key or not, and round-trips")
    func minimumBandwidth() {
        for key in ["min_bandwidth_mbps", #"min_bandwidth\u005fmbps"#] {
            var d = FrameDecoder()
            let line = #"{"t":0,"type":"session","v":1,"id":"S","\#(key)":150,"arms":[]}"#
            guard case .frame(let f) = d.decode(line: line), case .session(let s) = f.body else {
                Issue.record("session with \(key) did not decode")
                continue
            }
            #expect(s.minBandwidthMbps == 150)
            var again = FrameDecoder()
            #expect(again.decode(line: FrameEncoder().encode(f)) == .frame(f))
        }
        var d = FrameDecoder()
        #expect(errorReason(d.decode(line: #"{"t":0,"type":"session","v":1,"id":"S","min_bandwidth_mbps":"fast","arms":[]}"#))?.contains("number") == true)
        // The same eighteen bytes on another frame type are a key that frame does not know.
        var e = decoderWithSession()
        #expect(e.decode(line: #"{"t":1,"type":"event","kind":"n","min_bandwidth_mbps":1e999}"#) == .frame(Frame(t: 1, body: .event(EventNote(kind: "n")))))
    }

    @Test("seq is an optional integer")
    func seq() {
        var d = decoderWithSession()
        #expect(d.decode(line: #"{"t":1,"seq":42,"type":"event","kind":"n"}"#) == .frame(Frame(t: 1, seq: 42, body: .event(EventNote(kind: "n")))))
        #expect(errorReason(d.decode(line: #"{"t":1,"seq":2.5,"type":"event","kind":"n"}"#))?.contains("integer") == true)
        #expect(errorReason(d.decode(line: #"{"t":1,"seq":"3","type":"event","kind":"n"}"#))?.contains("integer") == true)
    }

    @Test("missing t or type, or the wrong JSON type, is an error", arguments: [
        #"{"type":"event","kind":"n"}"#, #"{"t":1,"kind":"n"}"#, #"{"t":"1","type":"event","kind":"n"}"#,
        #"{"t":1,"type":7,"kind":"n"}"#, #"{"t":null,"type":"event","kind":"n"}"#,
    ])
    func commonFields(line: String) {
        var d = decoderWithSession()
        #expect(errorReason(d.decode(line: line)) != nil)
    }

    @Test("an integer field given 2.5 is an error; 7.0 is the integer 7")
    func integers() {
        var d = decoderWithSession()
        #expect(errorReason(d.decode(line: #"{"t":1,"type":"instrument","arm":"PSM1","uses_left":2.5}"#))?.contains("integer") == true)
        #expect(d.decode(line: #"{"t":1,"type":"instrument","arm":"PSM1","uses_left":7.0}"#)
                == .frame(Frame(t: 1, body: .instrument(InstrumentSample(arm: "PSM1", usesLeft: 7)))))
        #expect(errorReason(d.decode(line: #"{"t":0,"type":"session","v":1.5,"id":"x","arms":[]}"#))?.contains("integer") == true)
    }

    @Test("a session frame of an unknown major version is refused with a clear message")
    func version() {
        var d = FrameDecoder()
        guard case .error(let e) = d.decode(line: #"{"t":0,"type":"session","v":2,"id":"x","arms":[]}"#) else {
            Issue.record("expected refusal")
            return
        }
        #expect(e.kind == .unsupportedVersion(2))
        #expect(e.reason.contains("version 2"))
    }

    @Test("session frame requirements", arguments: [
        #"{"t":0,"type":"session","id":"x","arms":[]}"#,                                  // no v
        #"{"t":0,"type":"session","v":1,"arms":[]}"#,                                     // no id
        #"{"t":0,"type":"session","v":1,"id":"x"}"#,                                      // no arms
        #"{"t":0,"type":"session","v":1,"id":"x","arms":{}}"#,                            // arms not array
        #"{"t":0,"type":"session","v":1,"id":"x","arms":[{"kind":"PSM"}]}"#,              // arm without id
        #"{"t":0,"type":"session","v":1,"id":"x","arms":[{"id":"A"}]}"#,                  // arm without kind
        #"{"t":0,"type":"session","v":1,"id":"x","arms":[{"id":"A","kind":"ROBOT"}]}"#,   // unknown kind
        #"{"t":0,"type":"session","v":1,"id":"x","arms":[{"id":"A","kind":"PSM"},{"id":"A","kind":"ECM"}]}"#, // duplicate id
        #"{"t":0,"type":"session","v":1,"id":"x","arms":[{"id":"A","kind":"PSM","joints":[{"unit":"rad"}]}]}"#,
        #"{"t":0,"type":"session","v":1,"id":"x","arms":[{"id":"A","kind":"PSM","joints":[{"name":"j","unit":"deg"}]}]}"#,
        #"{"t":0,"type":"session","v":1,"id":"x","arms":[{"id":"A","kind":"PSM","joints":[{"name":"j","unit":"rad","min":"0"}]}]}"#,
        #"{"t":0,"type":"session","v":1,"id":"x","distance_km":"far","arms":[]}"#,
        #"{"t":0,"type":"session","v":1,"id":5,"arms":[]}"#,
    ])
    func sessionErrors(line: String) {
        var d = FrameDecoder()
        #expect(errorReason(d.decode(line: line)) != nil)
    }

    @Test("an arm frame for an arm the session did not declare is an error")
    func undeclaredArm() {
        var fresh = FrameDecoder()
        #expect(errorReason(fresh.decode(line: #"{"t":1,"type":"arm","arm":"PSM1","state":"ENABLED"}"#))?.contains("before any session") == true)
        var d = decoderWithSession()
        #expect(errorReason(d.decode(line: #"{"t":1,"type":"arm","arm":"PSM9","state":"ENABLED"}"#))?.contains("did not declare") == true)
        #expect(d.decode(line: #"{"t":1,"type":"arm","arm":"PSM\u0031","state":"ENABLED"}"#)
                == .frame(Frame(t: 1, body: .arm(ArmSample(arm: "PSM1", state: .enabled)))))
    }

    @Test("a new session frame replaces the declared arms")
    func redeclare() {
        var d = decoderWithSession()
        _ = d.decode(line: #"{"t":5,"type":"session","v":1,"id":"OR3","arms":[{"id":"PSM2","kind":"PSM"}]}"#)
        #expect(errorReason(d.decode(line: #"{"t":6,"type":"arm","arm":"PSM1"}"#)) != nil)
        #expect(d.decode(line: #"{"t":6,"type":"arm","arm":"PSM2","homed":false}"#) == .frame(Frame(t: 6, body: .arm(ArmSample(arm: "PSM2", homed: false)))))
    }

    @Test("arrays of the wrong length are errors", arguments: [
        #""position":[1,2]"#, #""velocity":[1,2,3,4]"#, #""effort":[]"#, #""tip":[1,2]"#, #""orientation":[0,0,1]"#,
        #""twist":[1,2,3,4,5]"#, #""position":[1,"2",3]"#, #""position":"1,2,3""#, #""jaw":[0.1]"#,
    ])
    func armArrays(field: String) {
        var d = decoderWithSession()
        #expect(errorReason(d.decode(line: #"{"t":1,"type":"arm","arm":"PSM1","# + field + "}")) != nil)
    }

    @Test("an arm without joints may send Cartesian data only")
    func cartesianOnly() {
        var d = decoderWithSession()
        #expect(d.decode(line: #"{"t":1,"type":"arm","arm":"ECM","tip":[0.1,0.2,0.3],"orientation":[0,0,0,1],"twist":[0,0,0,0,0,0],"position":[]}"#)
                == .frame(Frame(t: 1, body: .arm(ArmSample(arm: "ECM", position: [], tip: [0.1, 0.2, 0.3], orientation: [0, 0, 0, 1], twist: [0, 0, 0, 0, 0, 0])))))
    }

    @Test("enumerated values outside the spec are errors", arguments: [
        #"{"t":1,"type":"arm","arm":"PSM1","state":"RUNNING"}"#,
        #"{"t":1,"type":"arm","arm":"PSM1","homed":"yes"}"#,
        #"{"t":1,"type":"instrument","arm":"PSM1","state":"BROKEN"}"#,
        #"{"t":1,"type":"instrument","arm":"PSM1","energy":"LASER"}"#,
        #"{"t":1,"type":"instrument","arm":"PSM1","tool":3}"#,
        #"{"t":1,"type":"instrument","tool":"X"}"#,
        #"{"t":1,"type":"alarm","id":"A","state":"on","priority":"high"}"#,
        #"{"t":1,"type":"alarm","id":"A","state":"raised"}"#,
        #"{"t":1,"type":"alarm","id":"A","state":"raised","priority":"urgent"}"#,
        #"{"t":1,"type":"alarm","id":"A","state":"raised","priority":"low","kind":"weird"}"#,
        #"{"t":1,"type":"alarm","state":"cleared"}"#,
        #"{"t":1,"type":"link","path":"primary"}"#,
        #"{"t":1,"type":"link","rtt_ms":"120"}"#,
        #"{"t":1,"type":"link","up":1}"#,
    ])
    func enumerations(line: String) {
        var d = decoderWithSession()
        #expect(errorReason(d.decode(line: line)) != nil)
    }

    @Test("instrument tool null means none is mounted; absent means unchanged")
    func toolNull() {
        var d = decoderWithSession()
        #expect(d.decode(line: #"{"t":1,"type":"instrument","arm":"PSM1","tool":null,"state":"NONE"}"#)
                == .frame(Frame(t: 1, body: .instrument(InstrumentSample(arm: "PSM1", tool: .none, state: InstrumentState.none)))))
        #expect(d.decode(line: #"{"t":1,"type":"instrument","arm":"PSM1","energy_active":true}"#)
                == .frame(Frame(t: 1, body: .instrument(InstrumentSample(arm: "PSM1", tool: .unchanged, energyActive: true)))))
    }

    @Test("a cleared alarm needs no priority; link path defaults to primary")
    func defaults() {
        var d = decoderWithSession()
        #expect(d.decode(line: #"{"t":1,"type":"alarm","id":"A","state":"cleared"}"#) == .frame(Frame(t: 1, body: .alarm(AlarmReport(id: "A", state: .cleared)))))
        #expect(d.decode(line: #"{"t":1,"type":"link","up":false}"#) == .frame(Frame(t: 1, body: .link(LinkSample(path: "primary", up: false)))))
    }
}
