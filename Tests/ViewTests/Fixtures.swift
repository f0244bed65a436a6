import Foundation
import SessionCore
import Telemetry
import Testing
@testable import View

/// Builds session states the way the console does: by applying frames.
struct SessionBuilder {
    var state = SessionState()
    /// Arrival time of the next frame (monotonic seconds).
    var arrival: Double = 1000

    /// Arrival of the last frame applied: frames arrive in the order they are applied.
    var lastArrival: Double = 0

    mutating func apply(_ t: Double, _ body: Frame.Body, arrival: Double? = nil) {
        let a = arrival ?? max(lastArrival, self.arrival + t)
        lastArrival = a
        state.apply(Frame(t: t, body: body), arrival: a)
    }

    mutating func session(_ arms: [ArmDescriptor] = Fixture.arms, id: String = "OR3-20261124-01",
                          procedure: String? = "Laparoscopic cholecystectomy", surgeon: String? = "Shanghai",
                          patient: String? = "Strasbourg", distance: Double? = 9200) {
        apply(0, .session(SessionInfo(id: id, procedure: procedure, robot: "Four-arm laparoscopic system",
                                      surgeonSite: surgeon, patientSite: patient, distanceKm: distance,
                                      startedAt: "2026-11-24T08:00:00Z", arms: arms)))
    }

    /// `seconds` of link history at 10 Hz ending at `end`, values from `f(t)`.
    mutating func linkHistory(path: String = "primary", until end: Double, seconds: Double = 30,
                              up: Bool = true, _ f: (Double) -> LinkSample) {
        var t = max(0, end - seconds)
        while t <= end + 1e-9 {
            var sample = f(t)
            sample.path = path
            sample.up = up
            apply(t, .link(sample))
            t += 0.1
        }
    }
}

enum Fixture {
    static let psmJoints = [
        JointDescriptor(name: "outer_yaw", unit: .rad, min: -1.588, max: 1.588, effortMax: 3.32),
        JointDescriptor(name: "outer_pitch", unit: .rad, min: -0.925, max: 0.925, effortMax: 3.32),
        JointDescriptor(name: "outer_insertion", unit: .m, min: 0, max: 0.24, effortMax: 9.88),
        JointDescriptor(name: "outer_roll", unit: .rad, min: -4.538, max: 4.538, effortMax: 0.1),
        JointDescriptor(name: "wrist_pitch", unit: .rad, min: -1.396, max: 1.396, effortMax: 0.1),
        JointDescriptor(name: "wrist_yaw", unit: .rad, min: -1.396, max: 1.396, effortMax: 0.1),
    ]
    static let ecmJoints = [
        JointDescriptor(name: "yaw", unit: .rad, min: -1.571, max: 1.571, effortMax: 5),
        JointDescriptor(name: "pitch", unit: .rad, min: -0.768, max: 1.134, effortMax: 5),
        JointDescriptor(name: "insertion", unit: .m, min: 0, max: 0.255, effortMax: 10),
        JointDescriptor(name: "roll", unit: .rad, min: -1.552, max: 1.552, effortMax: 1),
    ]
    static let arms = [
        ArmDescriptor(id: "PSM1", kind: .psm, joints: psmJoints),
        ArmDescriptor(id: "PSM2", kind: .psm, joints: psmJoints),
        ArmDescriptor(id: "ECM", kind: .ecm, joints: ecmJoints),
        ArmDescriptor(id: "MTML", kind: .mtm, joints: []),
    ]

    /// Session time of the realistic state's last frames, and the arrival clock to match.
    static let end: Double = 754.3
    static let now: Double = 1000 + end + 0.2

    /// A session twelve minutes in: two paths (backup down), four arms (PSM2's pitch at its
    /// limit, ECM's insertion near it, MTML Cartesian only), two instruments (PSM1 delivering
    /// energy), three alarms and some events.
    static func realistic() -> SessionState {
        var b = SessionBuilder()
        b.session()
        // The primary path degraded over its last second, long enough for its alarms (the mean
        // of the last second decides them, and the screen's colours).
        b.linkHistory(until: end) { t in
            t > end - 0.95
                ? LinkSample(rttMs: 231.5, jitterMs: 4.2, lossPct: 3.4, bandwidthMbps: 48, videoFps: 22)
                : LinkSample(rttMs: 112 + 20 * sin(t), jitterMs: 3.1 + sin(t / 3), lossPct: 0.1, bandwidthMbps: 48,
                       videoFps: 59.9, videoDelayMs: 140)
        }
        b.linkHistory(path: "backup", until: end - 20, seconds: 10) { _ in
            LinkSample(rttMs: 150, jitterMs: 8, lossPct: 0.8, bandwidthMbps: 25, videoFps: 30, videoDelayMs: 210)
        }
        b.apply(end - 12.3, .link(LinkSample(path: "backup", up: false)))
        b.apply(end, .link(LinkSample(rttMs: 231.5, jitterMs: 4.2, lossPct: 3.4, bandwidthMbps: 48, videoFps: 22)))
        b.apply(end, .arm(ArmSample(arm: "PSM1", state: .enabled, homed: true, following: true,
                                    position: [0.12, -0.30, 0.101, 0.5, 0.2, -0.1],
                                    effort: [0.4, 0.9, 2.1, 0.02, 0.05, 0.09],
                                    tip: [0.012, -0.0345, 0.101], twist: [0.03, 0.0, 0.0, 0, 0, 0])))
        b.apply(end, .arm(ArmSample(arm: "PSM2", state: .enabled, homed: true, following: true,
                                    position: [0.3, 0.925, 0.05, 0, 0, 0], effort: [0.1, 3.5, 1, 0, 0, 0])))
        b.apply(end, .arm(ArmSample(arm: "ECM", state: .enabled, homed: true, following: false,
                                    position: [0.0, 0.1, 0.25, 0.0], effort: [0.1, 0.2, 0.3, 0.0])))
        b.apply(end, .arm(ArmSample(arm: "MTML", state: .enabled, homed: true, following: true,
                                    tip: [0.1, 0.2, 0.3], twist: [0.1, 0, 0, 0, 0, 0])))
        b.apply(end, .instrument(InstrumentSample(arm: "PSM1", tool: .model("LARGE_NEEDLE_DRIVER"), state: .engaged,
                                                  usesLeft: 7, energy: .monopolar, energyActive: true)))
        b.apply(end, .instrument(InstrumentSample(arm: "PSM2", tool: .model("CADIERE_FORCEPS"), state: .engaged,
                                                  usesLeft: 1, energy: EnergyMode.none, energyActive: false)))
        b.apply(300, .alarm(AlarmReport(id: "PSM2.JOINT_LIMIT", state: .raised, priority: .medium, source: "PSM2",
                                        message: "Joint outer_pitch at its limit")))
        b.apply(420.5, .alarm(AlarmReport(id: "LINK.LOSS", state: .raised, priority: .high, source: "link",
                                          message: "Packet loss above 3 %")))
        b.apply(500, .alarm(AlarmReport(id: "ECM.INSERTION", state: .raised, priority: .low, source: "ECM",
                                        message: "Endoscope insertion near its limit")))
        b.apply(12.0, .event(EventNote(kind: "teleop_engaged", text: "Surgeon engaged teleoperation")))
        b.apply(95.5, .event(EventNote(kind: "clutch", text: "Surgeon clutch pressed")))
        b.apply(640.2, .event(EventNote(kind: "camera", text: "Camera moved")))
        b.apply(720.0, .event(EventNote(kind: "instrument_change", text: "PSM2 now CADIERE_FORCEPS")))
        return b.state
    }

    static func context(mode: SessionMode = .live, now: Double = Fixture.now, unicode: Bool = true,
                        colors: Bool = true, state: SessionState? = nil) -> ViewContext {
        let source: SourceState
        switch mode {
        case .live: source = .connected(peer: "gateway.or3:7000")
        case .replay: source = .connected(peer: "OR3-20261124-01.ndjson")
        case .demo: source = .connected(peer: "simulator seed 7")
        }
        return ViewContext(mode: mode, source: source, now: now, wallClock: "14:03:27", framesPerSecond: 212,
                           replay: mode == .replay ? ReplayStatus(position: end, duration: 1800, speed: 2) : nil,
                           unicode: unicode, colors: colors, alarms: state.map(AlarmRow.rows(from:)) ?? [])
    }

    static func layout(_ name: String) -> Layout {
        LayoutCatalog.builtIn(name)!
    }
}

// MARK: - reading a buffer

extension CellBuffer {
    /// The characters of one row, one string per cell ("" for the right half of a wide character).
    func cellsOfRow(_ y: Int) -> [String] {
        (0..<width).map { x in
            let c = self[x, y]
            return c == .continuation ? "" : String(c.character)
        }
    }

    /// Where `text` starts (first occurrence, top to bottom), in cells.
    func find(_ text: String, in rect: Rect? = nil) -> (x: Int, y: Int)? {
        let area = rect ?? self.area
        let needle = text.map { String($0) }
        guard !needle.isEmpty else { return nil }
        for y in area.y..<area.maxY {
            let row = cellsOfRow(y)
            var x = area.x
            while x + needle.count <= area.maxX {
                var ok = true
                var cx = x
                for ch in needle {
                    while cx < area.maxX, row[cx] == "" { cx += 1 }
                    if cx >= area.maxX || row[cx] != ch { ok = false; break }
                    cx += 1
                }
                if ok { return (x, y) }
                x += 1
            }
        }
        return nil
    }

    func contains(_ text: String, in rect: Rect? = nil) -> Bool { find(text, in: rect) != nil }

    /// Lines of a sub-rectangle.
    func lines(in rect: Rect) -> [String] {
        (rect.y..<rect.maxY).map { y in
            (rect.x..<rect.maxX).reduce(into: "") { s, x in
                let c = self[x, y]
                if c != .continuation { s.append(c.character) }
            }
        }
    }

    /// The style of the first cell of `text`.
    func style(of text: String, in rect: Rect? = nil) -> Style? {
        find(text, in: rect).map { self[$0.x, $0.y].style }
    }

    /// Every style used by the cells of `text`.
    func styles(of text: String, in rect: Rect? = nil) -> [Style] {
        guard let at = find(text, in: rect) else { return [] }
        return (0..<text.count).map { self[at.x + $0, at.y].style }
    }

    var usesColor: Bool { cells.contains { $0.style.fg != .default || $0.style.bg != .default } }
    var isASCII: Bool { cells.allSatisfy { $0 == .continuation || $0.character.isASCII } }
}

/// Renders a whole screen.
@discardableResult
func screen(_ state: SessionState, _ context: ViewContext, layout: String, width: Int, height: Int)
    -> (buffer: CellBuffer, outcome: RenderOutcome) {
    var buffer = CellBuffer(width: width, height: height)
    let outcome = ConsoleView.render(state: state, context: context, layout: Fixture.layout(layout), into: &buffer)
    return (buffer, outcome)
}

/// Renders a single panel alone in a `width` × `height` screen.
func panel(_ id: PanelID, _ state: SessionState, _ context: ViewContext, width: Int, height: Int,
           large: Bool = false) -> CellBuffer {
    var buffer = CellBuffer(width: width, height: height)
    let layout = Layout(name: "test", minimum: TerminalSize(width: 1, height: 1),
                        root: .panel(id, options: PanelOptions(large: large)))
    ConsoleView.render(state: state, context: context, layout: layout, into: &buffer)
    return buffer
}

/// The rectangle a panel got.
func rect(of id: PanelID, in outcome: RenderOutcome) -> Rect? {
    outcome.placements.first { $0.panel == id }?.rect
}

/// Both screen sizes the panels are tested at, with the layout used at each.
let screenSizes: [(width: Int, height: Int, layout: String)] = [(80, 24, "compact"), (120, 40, "technician")]

extension Fixture {
    /// `context` listing also the link alarms an engine evaluating `state` as it stands raises:
    /// the Link panel marks a value only where its alarm is listed, as the console lists them.
    static func withLinkAlarms(_ context: ViewContext, _ state: SessionState) -> ViewContext {
        var engine = AlarmEngine(settings: context.alarmSettings)
        engine.evaluate(state, time: state.sessionTime, arrivalNow: state.lastFrame?.arrival ?? 0, sourceIsLive: false)
        var context = context
        context.alarms += AlarmRow.rows(from: engine).filter { $0.id.hasPrefix("LINK.") }
        return context
    }
}

extension AlarmRow {
    /// The rows of a state's device alarms, each as the robot reported it (the console lists the
    /// alarm engine's alarms instead; these tests draw the panels from a state alone).
    static func rows(from state: SessionState) -> [AlarmRow] {
        state.deviceAlarms.map {
            AlarmRow(id: $0.id, priority: $0.priority, message: $0.message ?? $0.id, since: $0.raisedAt, source: $0.source)
        }
    }

    /// The rows of the alarms `engine` lists, as the console builds them.
    static func rows(from engine: AlarmEngine) -> [AlarmRow] {
        engine.alarms.map {
            AlarmRow(id: $0.id, priority: $0.priority, message: $0.message, since: $0.raisedAt,
                     acknowledged: $0.acknowledged, latched: $0.latched)
        }
    }
}
