import Foundation
import Testing

/// The caption band and the tool-tip panel in the real binary, in tmux.
@Suite("Caption band and tool tips in a real terminal", .serialized)
struct CaptionAndTipsInTerminalTests {
    static let layout = """
    name: story
    min_width: 100
    min_height: 30
    root:
      rows:
        - panel: header
          size: 3
        - panel: caption
          size: 2
        - columns:
            - panel: link
            - panel: tips
          weight: 2
        - panel: events
          weight: 1
        - panel: footer
          size: 1
    """

    init() {
        #expect(TmuxSession.available, "tmux is needed for these tests (.ci/run installs it)")
    }

    /// A simulated recording with a caption at 1 s, and the layout beside it.
    static func files() throws -> (recording: String, layout: String) {
        let dir = CLI.temporaryDirectory()
        let plain = dir.appendingPathComponent("plain.ndjson").path
        let result = try CLI.run(["sim", "--out", plain, "--duration", "30", "--rate", "50", "--seed", "3"])
        #expect(result.status == 0)
        var lines = try String(contentsOfFile: plain, encoding: .utf8).split(separator: "\n").map(String.init)
        // After the frames of the first second, so the recording stays in time order.
        let at = lines.firstIndex { $0.hasPrefix("{\"t\":1") } ?? 1
        lines.insert(#"{"t":1,"type":"event","kind":"caption","text":"Watch the tool tips: each PSM draws its trail"}"#, at: at)
        let recording = dir.appendingPathComponent("story.ndjson").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: recording, atomically: true, encoding: .utf8)
        let layout = dir.appendingPathComponent("story.yaml").path
        try Self.layout.write(toFile: layout, atomically: true, encoding: .utf8)
        return (recording, layout)
    }

    /// The rows inside the panel box whose top border carries `title`, between its side borders
    /// (a screen of one-column characters, as these are).
    static func interior(of title: String, in screen: String) -> [String] {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        let wanted = Array(title)
        for (top, row) in lines.enumerated() where row.count >= wanted.count {
            guard let at = (0...(row.count - wanted.count)).first(where: { Array(row[$0..<($0 + wanted.count)]) == wanted }),
                  let left = row[..<at].lastIndex(where: { "┌╔+#".contains($0) }),
                  let right = row[at...].firstIndex(where: { "┐╗+#".contains($0) }) else { continue }
            var inside: [String] = []
            for line in lines[(top + 1)...] {
                guard line.count > right, !"└╚+#".contains(line[left]) else { break }
                inside.append(String(line[(left + 1)..<right]))
            }
            return inside
        }
        return []
    }

    /// ASCII trail marks above the scale bar and the legend (their "2.5 mm" has a dot too).
    static func hasMarks(_ rows: [String]) -> Bool {
        rows.dropLast(2).contains { $0.contains { [":", "'", "."].contains($0) } }
    }

    static func hasBraille(_ rows: [String]) -> Bool {
        rows.contains { $0.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) } }
    }

    @Test("a replay shows its caption in the band and the PSMs' trails; c hides the band and shows it again")
    func captionAndTips() throws {
        let (recording, layout) = try Self.files()
        let tmux = try TmuxSession(width: 120, height: 40,
                                   command: "LANG=C.UTF-8 TERM=xterm-256color \(CLI.binary) replay \(recording) --layout \(layout) --from 3 --alarm-log /dev/null")
        let screen = tmux.waitFor { $0.contains("CAPTION › Watch the tool tips") && $0.contains("PSM3 z") && $0.contains(" mm") }
        #expect(screen.contains("CAPTION › Watch the tool tips: each PSM draws its trail"), "\(screen)")
        #expect(screen.contains("Tool tips"))
        #expect(screen.contains("1 PSM1 z") || screen.contains("PSM1 z"), "the legend names each PSM with its height")
        let tips = Self.interior(of: "Tool tips", in: screen)
        #expect(tips.count > 5, "\(screen)")
        #expect(Self.hasBraille(tips), "the trails are braille dots, inside the Tool tips box: \(tips)")
        let events = Self.interior(of: "Events (", in: screen)
        // The Events panel is as tall as its few events ask (layout demands), so one row at least.
        #expect(events.count >= 1, "\(screen)")
        #expect(!events.contains { $0.contains("caption") || $0.contains("Watch the tool tips") },
                "the Events panel leaves the caption to the band: \(events)")
        tmux.send("c")
        let hidden = tmux.waitFor { !$0.contains("CAPTION ›") }
        #expect(hidden.contains("caption") && hidden.contains("Watch the tool"), "the Events panel lists it: \(hidden)")
        tmux.send("c")
        let shown = tmux.waitFor { $0.contains("CAPTION ›") }
        #expect(shown.contains("CAPTION › Watch the tool tips"))
        tmux.send("q")
        #expect(tmux.waitFor { $0.contains("EXIT=") }.contains("EXIT=0"))
    }

    @Test("the demo's tips panel draws at 160×50 with a scale in millimetres, and in ASCII without braille")
    func demoTips() throws {
        let (_, layout) = try Self.files()
        for (locale, braille) in [("C.UTF-8", true), ("C", false)] {
            let tmux = try TmuxSession(width: 160, height: 50,
                                       command: "LANG=\(locale) LC_ALL=\(locale) TERM=xterm-256color \(CLI.binary) demo --layout \(layout) --alarm-log /dev/null")
            // Until the legend, the scale bar and a trail are drawn (a loaded machine may show a
            // first frame with the legend before any trail).
            let screen = tmux.waitFor {
                $0.contains("PSM1 z") && $0.contains(braille ? "├" : "|-")
                    && (braille ? Self.hasBraille(Self.interior(of: "Tool tips", in: $0))
                                : Self.hasMarks(Self.interior(of: "Tool tips", in: $0)))
            }
            #expect(screen.contains("PSM1 z"), "\(screen)")
            #expect(screen.contains(braille ? "├" : "|-"), "a scale bar")
            let tips = Self.interior(of: "Tool tips", in: screen)
            #expect(tips.count > 5, "\(locale): \(screen)")
            #expect(Self.hasBraille(tips) == braille, "\(locale): \(tips)")
            if !braille {
                // Above the scale and the legend (their "2.5 mm" has a dot too).
                #expect(Self.hasMarks(tips), "ASCII marks draw the trails: \(tips)")
            }
            tmux.send("q")
        }
    }
}
