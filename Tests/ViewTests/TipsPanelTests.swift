import Foundation
import SessionCore
import Telemetry
import Testing
@testable import View

/// A session whose PSM1 drew `path` (x, y in metres, z −0.1) over its last seconds, at 20 Hz.
private func tipsState(_ path: [(Double, Double)], arms: [ArmDescriptor] = [ArmDescriptor(id: "PSM1", kind: .psm)],
                       arm: String = "PSM1") -> SessionBuilder {
    var b = SessionBuilder()
    b.session(arms)
    for (k, p) in path.enumerated() {
        b.apply(1 + Double(k) * 0.05, .arm(ArmSample(arm: arm, tip: [p.0, p.1, -0.1])))
    }
    return b
}

/// The cells of `rect` that hold trail dots (braille, or the ASCII marks), as (column, row).
private func dotCells(_ buffer: CellBuffer, in rect: Rect) -> [(x: Int, y: Int)] {
    var out: [(Int, Int)] = []
    for y in rect.y..<rect.maxY {
        for x in rect.x..<rect.maxX {
            let v = buffer[x, y].character.unicodeScalars.first!.value
            if (0x2801...0x28FF).contains(v) || (buffer.asciiOnly && [":", "'", "."].contains(buffer[x, y].character)) {
                out.append((x, y))
            }
        }
    }
    return out
}

/// The canvas of a 40 × 16 Tips panel: inside the box, above the scale and the legend line.
private let canvasRect = Rect(x: 1, y: 1, width: 38, height: 12)

@Suite("Tool-tip panel")
struct TipsPanelTests {
    @Test("a straight move to the right is a horizontal line of dots ending at the arm's number")
    func horizontalLine() {
        let path = (0...20).map { (-0.01 + 0.001 * Double($0), 0.0) }
        let b = tipsState(path)
        let buffer = panel(.tips, b.state, Fixture.context(mode: .replay, now: b.lastArrival), width: 40, height: 16)
        let dots = dotCells(buffer, in: canvasRect)
        #expect(!dots.isEmpty)
        #expect(Set(dots.map(\.y)).count == 1, "one row: the tip did not move in y")
        let marker = buffer.find("1", in: canvasRect)
        #expect(marker != nil, "the newest point is marked with the arm's number")
        if let marker {
            #expect(dots.allSatisfy { $0.x < marker.x }, "x grows to the right: the newest point is rightmost")
            #expect(marker.y == dots[0].y)
        }
        // 20 mm across a steady view: its scale bar is named in millimetres.
        #expect(buffer.contains(" mm", in: Rect(x: 1, y: 13, width: 38, height: 1)))
        #expect(buffer.contains("PSM1 z -100 mm"))
    }

    @Test("y is up: a tip moving up ends above where it began")
    func yUp() {
        let path = (0...20).map { (0.0, 0.001 * Double($0)) }
        let b = tipsState(path)
        let buffer = panel(.tips, b.state, Fixture.context(mode: .replay, now: b.lastArrival), width: 40, height: 16)
        let dots = dotCells(buffer, in: canvasRect)
        let marker = buffer.find("1", in: canvasRect)!
        #expect(dots.allSatisfy { $0.y > marker.y || ($0.y == marker.y) })
        #expect(dots.contains { $0.y > marker.y })
    }

    @Test("the aspect ratio is honest: a square of 10 mm is twice as many columns wide as rows tall")
    func honestAspect() {
        var path: [(Double, Double)] = []
        for k in 0..<10 { path.append((0.001 * Double(k), 0)) }
        for k in 0..<10 { path.append((0.01, 0.001 * Double(k))) }
        for k in 0..<10 { path.append((0.01 - 0.001 * Double(k), 0.01)) }
        for k in 0...10 { path.append((0, 0.01 - 0.001 * Double(k))) }
        let b = tipsState(path)
        let buffer = panel(.tips, b.state, Fixture.context(mode: .replay, now: b.lastArrival), width: 60, height: 24)
        let canvas = Rect(x: 1, y: 1, width: 58, height: 20)
        let dots = dotCells(buffer, in: canvas)
        let columns = dots.map(\.x).max()! - dots.map(\.x).min()! + 1
        let rows = dots.map(\.y).max()! - dots.map(\.y).min()! + 1
        // A cell is about twice as tall as wide: the square spans twice as many columns as rows.
        #expect(abs(Double(columns) / Double(rows) - 2) < 0.5, "columns \(columns), rows \(rows)")
    }

    @Test("the view holds still while the trail moves within it, and grows when it leaves")
    func steadyView() {
        let a = (0..<40).map { TipPoint(t: Double($0) * 0.05, x: 0.001 * Double($0 % 10), y: 0, z: 0) }
        let b = a.map { TipPoint(t: $0.t, x: $0.x + 0.0002, y: 0.0003, z: 0) }
        let view = TipView.fitting(a, columns: 40, rows: 12)
        #expect(TipView.fitting(b, columns: 40, rows: 12) == view)
        let far = a + [TipPoint(t: 3, x: 0.2, y: 0, z: 0)]
        let grown = TipView.fitting(far, columns: 40, rows: 12)
        #expect(grown.millimetresPerCell > view.millimetresPerCell)
        for p in far {
            let dot = grown.dot(p)
            #expect(dot.x >= 0 && dot.x < 80 && dot.y >= 0 && dot.y < 48, "every point is inside the grown view")
        }
    }

    @Test("the scale bar is a whole number of cells and a round length", arguments: [1.0, 2, 2.5, 4, 5, 20, 0.25])
    func scaleBar(millimetresPerCell: Double) {
        let view = TipView(millimetresPerCell: millimetresPerCell, centreX: 0, centreY: 0, columns: 50, rows: 10)
        let bar = view.scaleBar
        #expect(abs(Double(bar.cells) * millimetresPerCell - bar.millimetres) < 1e-9)
        #expect(TipView.isRound(bar.millimetres))
        #expect(bar.cells >= 2 && bar.cells <= 20)
    }

    @Test("arms that send joints only get a sentence, not an empty canvas")
    func jointsOnly() {
        var b = SessionBuilder()
        b.session([ArmDescriptor(id: "PSM1", kind: .psm, joints: Fixture.psmJoints)])
        b.apply(1, .arm(ArmSample(arm: "PSM1", position: [0, 0, 0.1, 0, 0, 0])))
        let buffer = panel(.tips, b.state, Fixture.context(now: b.lastArrival), width: 80, height: 10)
        #expect(buffer.contains("No tool-tip positions in this telemetry: the arms send joints only"))
        #expect(dotCells(buffer, in: buffer.area).isEmpty)
    }

    @Test("each PSM in its own colour, the older half dim, a stale arm marked STALE")
    func coloursAndStale() {
        var b = SessionBuilder()
        b.session([ArmDescriptor(id: "PSM1", kind: .psm), ArmDescriptor(id: "PSM2", kind: .psm)])
        for k in 0...200 {
            let t = 1 + Double(k) * 0.05
            b.apply(t, .arm(ArmSample(arm: "PSM1", tip: [0.02 * cos(t), 0.02 * sin(t), -0.1])))
            if t < 5 { b.apply(t, .arm(ArmSample(arm: "PSM2", tip: [-0.03, 0.01 * Double(k % 7), -0.1]))) }
        }
        let buffer = panel(.tips, b.state, Fixture.context(now: b.lastArrival), width: 80, height: 24)
        let styles = Set(dotCells(buffer, in: Rect(x: 1, y: 1, width: 78, height: 20)).map { buffer[$0.x, $0.y].style })
        #expect(styles.contains { $0.fg == TipsPanel.palette[0] && !$0.attributes.contains(.dim) })
        #expect(styles.contains { $0.fg == TipsPanel.palette[0] && $0.attributes.contains(.dim) }, "PSM1's older half")
        #expect(styles.contains { $0.fg == TipsPanel.palette[1] })
        #expect(styles.filter { $0.fg == TipsPanel.palette[1] }.allSatisfy { $0.attributes.contains(.dim) },
                "PSM2 stopped sending: its whole trail is dim")
        #expect(buffer.contains("STALE"))
        #expect(buffer.style(of: "PSM2")?.fg == TipsPanel.palette[1])
    }

    /// PSM1 sends tips from t = 1 to 3, then frames without a usable tip (`later`) until 15.
    static func tipsStopped(later: [Double]?) -> SessionBuilder {
        var b = SessionBuilder()
        b.session([ArmDescriptor(id: "PSM1", kind: .psm, joints: Fixture.psmJoints)])
        for k in 0...280 {
            let t = 1 + Double(k) * 0.05
            let tip = t <= 3 ? [0.001 * Double(k), 0, -0.1] : later
            b.apply(t, .arm(ArmSample(arm: "PSM1", position: [0, 0, 0.1, 0, 0, 0], tip: tip, twist: [0.01, 0, 0, 0, 0, 0])))
        }
        return b
    }

    @Test("tips that stop while the arm keeps sending joints (or send only refused tips): the trail is dim and the legend says for how long, in a replay too",
          arguments: [nil, [Double.nan, .nan, .nan], [1e308, 0, 0]])
    func tipsStopWhileJointsFlow(later: [Double]?) {
        let b = Self.tipsStopped(later: later)
        for mode in [SessionMode.replay, .live] {
            let buffer = panel(.tips, b.state, Fixture.context(mode: mode, now: b.lastArrival), width: 60, height: 16)
            let styles = dotCells(buffer, in: Rect(x: 1, y: 1, width: 58, height: 12)).map { buffer[$0.x, $0.y].style }
            #expect(!styles.isEmpty, "\(mode): the last seconds stay on screen")
            #expect(styles.allSatisfy { $0.attributes.contains(.dim) }, "\(mode): a frozen trail is not drawn live")
            let text = buffer.lines.joined(separator: "\n")
            #expect(text.contains("no tip 12 s"), "\(mode): \(text)")
            #expect(!text.contains("z -100 mm"), "\(mode): no old height shown as current")
            #expect(!text.contains("mm/s"), "\(mode): no old speed shown as current")
        }
    }

    @Test("a trail that keeps coming is drawn live with its height and speed")
    func tipsFlowing() {
        let b = tipsState((0...280).map { (0.0001 * Double($0), 0.0) })
        for mode in [SessionMode.replay, .live] {
            let buffer = panel(.tips, b.state, Fixture.context(mode: mode, now: b.lastArrival), width: 60, height: 16)
            let styles = dotCells(buffer, in: Rect(x: 1, y: 1, width: 58, height: 12)).map { buffer[$0.x, $0.y].style }
            #expect(styles.contains { !$0.attributes.contains(.dim) }, "\(mode)")
            let text = buffer.lines.joined(separator: "\n")
            #expect(text.contains("z -100 mm") && text.contains("mm/s"), "\(mode): \(text)")
            #expect(!text.contains("no tip") && !text.contains("STALE"), "\(mode): \(text)")
        }
    }

    @Test("an ASCII terminal gets marks instead of braille, and an ASCII scale bar")
    func ascii() {
        let path = (0...40).map { (0.01 * cos(Double($0) / 6), 0.01 * sin(Double($0) / 6)) }
        let b = tipsState(path)
        let buffer = panel(.tips, b.state, Fixture.context(mode: .replay, now: b.lastArrival, unicode: false),
                           width: 40, height: 16)
        #expect(buffer.isASCII)
        #expect(!dotCells(buffer, in: canvasRect).isEmpty)
        #expect(buffer.contains("|-"))
        #expect(buffer.contains("x -> y ^"))
    }

    @Test("hostile arm names are sanitised and cut")
    func hostileNames() {
        let name = "PSM\u{1B}[31m\u{07}" + String(repeating: "x", count: 500)
        let path = (0...10).map { (0.001 * Double($0), 0.0) }
        let b = tipsState(path, arms: [ArmDescriptor(id: name, kind: .psm)], arm: name)
        let buffer = panel(.tips, b.state, Fixture.context(mode: .replay, now: b.lastArrival), width: 60, height: 16)
        #expect(!buffer.cells.contains { $0.character.unicodeScalars.contains { $0.value < 0x20 } })
        #expect(buffer.contains("PSM"))
    }

    @Test("tips of every size draw without a trap: the view scales to a trail of metres")
    func extremeButValid() {
        let path: [(Double, Double)] = [(-9.9, -9.9), (9.9, 9.9), (0, 0), (1e-9, -1e-9)]
        let b = tipsState(path)
        for (w, h) in [(12, 5), (40, 16), (200, 60)] {
            let buffer = panel(.tips, b.state, Fixture.context(mode: .replay, now: b.lastArrival), width: w, height: h)
            #expect(buffer.width == w)
        }
    }
}
