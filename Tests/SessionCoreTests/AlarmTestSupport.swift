import Telemetry
@testable import SessionCore

/// A PSM with limited joints, one joint without limits or effort maximum, as in the dVRK files.
let alarmPSM = ArmDescriptor(id: "PSM1", kind: .psm, joints: [
    JointDescriptor(name: "yaw", unit: .rad, min: -1.5, max: 1.5, effortMax: 3),
    JointDescriptor(name: "insertion", unit: .m, min: 0, max: 0.24, effortMax: 10),
    JointDescriptor(name: "free", unit: .rad),
])

/// A session state and an alarm engine fed together, in session time (no sleeping). Frames
/// arrive at `arrivalOffset + t` unless a test moves the arrival clock itself.
struct AlarmHarness {
    var state = SessionState()
    var engine: AlarmEngine
    var live = false
    var arrivalOffset = 1000.0
    /// Every log entry drained so far.
    var entries: [AlarmLogEntry] = []

    init(settings: AlarmSettings = .defaults, arms: [ArmDescriptor] = [alarmPSM]) {
        engine = AlarmEngine(settings: settings)
        state.apply(Frame(t: 0, body: .session(SessionInfo(id: "OR3-TEST", arms: arms))), arrival: arrivalOffset)
    }

    /// Applies a frame and evaluates at the state's session time.
    mutating func feed(_ frame: Frame) {
        state.apply(frame, arrival: arrivalOffset + frame.t)
        evaluate(at: state.sessionTime)
    }

    mutating func feed(_ body: Frame.Body, at t: Double, seq: Int? = nil) {
        feed(Frame(t: t, seq: seq, body: body))
    }

    /// Evaluates at `t` without a new frame (a tick).
    mutating func evaluate(at t: Double, arrival: Double? = nil) {
        engine.evaluate(state, time: t, arrivalNow: arrival ?? arrivalOffset + t, sourceIsLive: live)
        entries += engine.drainLog()
    }

    /// Frames made by `make` every `step` seconds over [from, to] (inclusive, to the step).
    mutating func run(from: Double, to: Double, step: Double = 0.1, _ make: (Double) -> Frame.Body) {
        var k = 0
        while true {
            let t = ((from + Double(k) * step) * 1000).rounded() / 1000
            if t > to + 1e-9 { break }
            feed(make(t), at: t)
            k += 1
        }
    }

    func alarm(_ id: String) -> ActiveAlarm? {
        engine.alarms.first { $0.id == id }
    }

    var ids: [String] { engine.alarms.map(\.id) }

    func log(_ id: String) -> [AlarmLogEntry] {
        entries.filter { $0.id == id }
    }

    func actions(_ id: String) -> [AlarmLogEntry.Action] {
        log(id).map(\.action)
    }
}

func linkBody(_ path: String = "primary", up: Bool? = true, rtt: Double? = nil, jitter: Double? = nil,
              loss: Double? = nil, fps: Double? = nil) -> Frame.Body {
    .link(LinkSample(path: path, up: up, rttMs: rtt, jitterMs: jitter, lossPct: loss, videoFps: fps))
}

func armBody(_ arm: String = "PSM1", state: OperatingState? = nil, position: [Double]? = nil,
             effort: [Double]? = nil) -> Frame.Body {
    .arm(ArmSample(arm: arm, state: state, position: position, effort: effort))
}

func deviceAlarm(_ id: String, _ state: AlarmReport.State, _ priority: AlarmPriority? = nil,
                 message: String? = nil, source: String? = nil) -> Frame.Body {
    .alarm(AlarmReport(id: id, state: state, priority: priority, source: source, message: message))
}
