import Console
import SessionCore
import Telemetry
import Terminal
import View
import YAMLFiles

/// The settings fuzz target: the bytes of a settings file read as a layout, as alarm
/// settings and as a scenario, as the console reads `~/.config/surgtop/layouts/NAME.yaml` and `--alarms FILE`.
/// A layout that parses is laid out at several sizes and drawn; alarm settings that parse drive
/// the alarm engine and the screen over a short fixed session.
public enum SettingsFuzz {
    /// Sizes a parsed layout is split at (besides its own minimum).
    static let sizes = [TerminalSize(width: 80, height: 24), TerminalSize(width: 120, height: 40),
                        TerminalSize(width: 1, height: 1), TerminalSize(width: 0, height: 0),
                        TerminalSize(width: 400, height: 150)]

    public static func run(_ data: UnsafeRawBufferPointer) {
        // As `SettingsFileGuard.readText` reads a file: at most 1 MiB of UTF-8.
        guard data.count <= SettingsFileGuard.maxBytes,
              let text = String(validating: data.bindMemory(to: UInt8.self), as: UTF8.self) else { return }
        runLayout(text)
        runAlarmSettings(text)
        runScenario(text)
    }

    static func runLayout(_ text: String) {
        let layout: Layout
        do throws(LayoutError) {
            layout = try LayoutParser.parse(yaml: text, file: "fuzz.yaml", defaultName: "fuzz", source: .file("fuzz.yaml"))
        } catch {
            _ = error.description
            return
        }
        _ = layout.focusOrder
        _ = layout.nextFocus(after: nil)
        _ = layout.nextFocus(after: .alarms)
        var rects = sizes
        // Its own minimum, when that is a size a terminal can have.
        if layout.minimum.width <= 1000 && layout.minimum.height <= 500 { rects.append(layout.minimum) }
        for size in rects {
            _ = LayoutEngine.split(Rect(x: 0, y: 0, width: size.width, height: size.height), layout.root)
            _ = LayoutChoice.resolve(requested: layout, size: size, catalog: WireFuzz.sharedCatalog)
        }
        // Drawn at 80×24 over the fixed session, whatever its minimum.
        var model = fixedModel(settings: .defaults)
        let context = model.context(now: fixedNow, wallClock: "10:46:56", playback: nil)
        var buffer = CellBuffer(width: 80, height: 24)
        ConsoleView.render(state: model.driver.state, context: context, layout: layout, into: &buffer)
        model.press(.tab, playback: nil)
    }

    static func runAlarmSettings(_ text: String) {
        let settings: AlarmSettings
        do throws(AlarmSettingsError) {
            settings = try AlarmSettingsFile.parse(yaml: text, file: "alarms.yaml")
        } catch {
            _ = error.description
            return
        }
        var model = fixedModel(settings: settings)
        _ = StatusLine.render(driver: model.driver, now: fixedNow)
        _ = model.driver.alarms.bellsDue(at: model.driver.alarms.now)
        model.press(.character("p"), playback: nil)
        _ = model.driver.alarms.audioPauseRemaining(at: model.driver.alarms.now + 1)
        _ = model.driver.alarms.bellsDue(at: model.driver.alarms.now + 1)
        model.press(.character("?"), playback: nil)  // the help lists the audio pause from the settings
        var buffer = CellBuffer(width: 80, height: 24)
        model.frame(now: fixedNow, wallClock: "10:46:56", playback: nil).render(into: &buffer, state: &model.view)
        _ = model.driver.alarms.history
    }

    /// A live console model that has seen the fixed session, its alarms evaluated as it went.
    static func fixedModel(settings: AlarmSettings) -> ConsoleModel {
        var model = ConsoleModel(mode: .live, label: "fuzz", catalog: WireFuzz.sharedCatalog, layoutRequest: nil,
                                 alarmSettings: settings)
        model.driver.handle(.state(.connected(peer: "fuzz")), arrival: 1000)
        for frame in fixedFrames {
            model.driver.handle(.decoded(.frame(frame)), arrival: 1000 + frame.t)
            model.driver.evaluateAlarms(arrivalNow: 1000 + frame.t)
        }
        model.driver.evaluateAlarms(arrivalNow: fixedNow)
        return model
    }

    static let fixedNow = 1000 + 6.5

    /// Six seconds of a session that brushes every alarm kind: round trip, jitter, loss and
    /// video over their levels, a path down, a joint at its limit and one near it, effort,
    /// an arm fault, an instrument with no uses left and one in fault, a device alarm, gaps.
    static let fixedFrames: [Frame] = {
        var lines = [
            #"{"t":0,"seq":1,"type":"session","v":1,"id":"FUZZ","procedure":"Fuzz","surgeon_site":"A","patient_site":"B","distance_km":1200,"min_bandwidth_mbps":150,"arms":[{"id":"PSM1","kind":"PSM","joints":[{"name":"yaw","unit":"rad","min":-1.588,"max":1.588,"effort_max":3.32},{"name":"insertion","unit":"m","min":0,"max":0.24,"effort_max":9.88}]},{"id":"ECM","kind":"ECM","joints":[{"name":"pitch","unit":"rad","min":-0.768,"max":1.134,"effort_max":5}]}]}"#,
        ]
        var seq = 2
        for k in 0...60 {
            let t = Double(k) * 0.1
            let rtt = 90 + Double(k) * 4, jitter = Double(k), loss = Double(k) / 12, fps = 60 - Double(k)
            lines.append(#"{"t":\#(t),"seq":\#(seq),"type":"link","path":"primary","up":true,"rtt_ms":\#(rtt),"jitter_ms":\#(jitter),"loss_pct":\#(loss),"bandwidth_mbps":\#(200 - 2 * Double(k)),"video_fps":\#(fps),"video_delay_ms":140}"#)
            seq += k % 20 == 19 ? 3 : 1
            lines.append(#"{"t":\#(t),"seq":\#(seq),"type":"link","path":"backup","up":\#(k < 30 ? "true" : "false"),"rtt_ms":150}"#)
            seq += 1
            let state = k > 50 ? "FAULT" : "ENABLED"
            lines.append(#"{"t":\#(t),"seq":\#(seq),"type":"arm","arm":"PSM1","state":"\#(state)","homed":true,"following":true,"position":[\#(1.5 + Double(k) * 0.002),0.239],"velocity":[0.1,0],"effort":[3.2,1],"tip":[0.01,0.02,0.1],"jaw":0.3}"#)
            seq += 1
            lines.append(#"{"t":\#(t),"seq":\#(seq),"type":"arm","arm":"ECM","state":"ENABLED","position":[1.13]}"#)
            seq += 1
        }
        lines.append(#"{"t":1,"seq":\#(seq),"type":"instrument","arm":"PSM1","tool":"LARGE_NEEDLE_DRIVER","state":"ENGAGED","uses_left":0,"energy":"BIPOLAR","energy_active":true}"#)
        lines.append(#"{"t":1.2,"type":"instrument","arm":"ECM","tool":null,"state":"FAULT"}"#)
        lines.append(#"{"t":2,"type":"alarm","id":"PSM1.COLLISION","state":"raised","priority":"high","source":"PSM1","message":"Instrument collision"}"#)
        lines.append(#"{"t":3,"type":"event","kind":"clutch","text":"Surgeon clutch pressed"}"#)
        // In time order, the session frame first (a stable sort keeps it ahead of the other t = 0 lines).
        func t(_ line: String) -> Double { Double(line.dropFirst(5).prefix { $0 != "," }) ?? 0 }  // {"t":…,
        lines = [lines[0]] + lines.dropFirst().enumerated()
            .sorted { (t($0.element), $0.offset) < (t($1.element), $1.offset) }.map(\.element)
        var decoder = FrameDecoder()
        return lines.compactMap { line in
            if case .frame(let frame) = decoder.decode(line: line) { return frame }
            return nil
        }
    }()

}
