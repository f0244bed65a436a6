import Testing
import SessionCore
@testable import Console

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh temporary directory (removed by the caller's `removeTree`).
func makeTemporaryDirectory() -> String {
    var template = Array("/tmp/surgtop-alarm-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(made != nil, "mkdtemp failed")
    return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

func writeFile(_ path: String, _ text: String) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    precondition(fd >= 0)
    _ = text.withCString { write(fd, $0, strlen($0)) }
    close(fd)
}

func readFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        bytes += buffer[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

func removeTree(_ path: String) {
    // Only the files these tests create: one level of files, then the directories.
    guard let dir = opendir(path) else { unlink(path); return }
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
        }
        if name == "." || name == ".." { continue }
        removeTree(path + "/" + name)
    }
    closedir(dir)
    rmdir(path)
}

@Suite("Alarm settings file")
struct AlarmSettingsFileTests {
    @Test("the shipped, documented YAML parses to exactly the defaults")
    func defaultsRoundTrip() throws {
        let settings = try AlarmSettingsFile.parse(yaml: defaultAlarmSettingsYAML, file: "built-in")
        #expect(settings == AlarmSettings.defaults)
        #expect(AlarmSettings.defaults.problems().isEmpty)
        // Every settable key is in the shipped file.
        for (section, keys) in AlarmSettingsFile.Reader.keys {
            #expect(defaultAlarmSettingsYAML.contains("\n\(section):\n"))
            for key in keys { #expect(defaultAlarmSettingsYAML.contains("  \(key): "), "\(section).\(key)") }
        }
    }

    @Test("a file overrides only the keys it names")
    func subsetOverrides() throws {
        let yaml = """
        # stricter round trip for a short-distance link
        link:
          rtt_ms:
            medium: 150
            low: 80
          video_fps_below: 30
        audio: {pause_s: 60, high_bells: 5}
        """
        let settings = try AlarmSettingsFile.parse(yaml: yaml, file: "site.yaml")
        var expected = AlarmSettings.defaults
        expected.rttMs = .init(low: 80, medium: 150, high: 300)
        expected.videoFpsBelow = 30
        expected.audioPauseSeconds = 60
        expected.highBells = 5
        #expect(settings == expected)
        #expect(try AlarmSettingsFile.parse(yaml: "", file: "empty.yaml") == .defaults)
        #expect(try AlarmSettingsFile.parse(yaml: "# nothing but a comment\n", file: "c.yaml") == .defaults)
    }

    @Test("load reads a file from disk")
    func loadFromDisk() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        writeFile(dir + "/alarms.yaml", "timing:\n  sustain_s: 2.5\n")
        let settings = try AlarmSettingsFile.load(path: dir + "/alarms.yaml")
        #expect(settings.sustainSeconds == 2.5)
        #expect(settings.clearAfterSeconds == 2)

        #expect(AlarmSettingsFile.defaultPath(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"]) == "/x/surgtop/alarms.yaml")
        #expect(AlarmSettingsFile.defaultPath(environment: ["HOME": "/h"]) == "/h/.config/surgtop/alarms.yaml")
        #expect(AlarmSettingsFile.defaultPath(environment: [:]) == nil)
        let none = try AlarmSettingsFile.loadDefault(environment: ["XDG_CONFIG_HOME": dir])
        #expect(none.path == nil && none.settings == .defaults)
        mkdir(dir + "/surgtop", 0o755)
        writeFile(dir + "/surgtop/alarms.yaml", "joints: {effort_pct: 80}\n")
        let found = try AlarmSettingsFile.loadDefault(environment: ["XDG_CONFIG_HOME": dir])
        #expect(found.path == dir + "/surgtop/alarms.yaml")
        #expect(found.settings.effortPct == 80)
    }

    /// The error a text gives, as "file:line: problem".
    func error(_ yaml: String) -> String? {
        do {
            _ = try AlarmSettingsFile.parse(yaml: yaml, file: "alarms.yaml")
            return nil
        } catch {
            return error.description
        }
    }

    @Test("errors name the file, the line and the problem")
    func errors() {
        #expect(error("link:\n  rtt: {low: 1}\n")
                == "alarms.yaml:2:3: unknown key 'rtt' in link (expected one of: rtt_ms, jitter_ms, loss_pct, video_fps_below)")
        #expect(error("sound:\n  on: true\n")?.hasPrefix("alarms.yaml:1:1: unknown key 'sound' in the alarm settings") == true)
        #expect(error("link:\n  rtt_ms: {low: 1, urgent: 2}\n")?.contains("unknown key 'urgent' in link.rtt_ms") == true)
        #expect(error("link:\n  video_fps_below: fast\n") == "alarms.yaml:2:20: link.video_fps_below must be a number, found 'fast'")
        #expect(error("link:\n  video_fps_below: \"24\"\n")?.contains("must be a number") == true, "a quoted number is text")
        #expect(error("telemetry:\n  gap_count: 2.5\n") == "alarms.yaml:2:14: telemetry.gap_count must be a whole number, found '2.5'")
        #expect(error("audio: [1, 2]\n") == "alarms.yaml:1:8: audio must be a mapping of keys to values, found a list")
        #expect(error("timing:\n  sustain_s:\n") == "alarms.yaml:2:13: timing.sustain_s must be a number, found nothing")
        #expect(error("link:\n  rtt_ms: {medium: 350}\n")
                == "alarms.yaml:2: link.rtt_ms: thresholds must increase (low < medium < high), found low 100, medium 350, high 300")
        #expect(error("joints:\n  at_limit_pct: 6\n")?.hasPrefix("alarms.yaml:1: joints: thresholds must increase") == true)
        #expect(error("timing:\n  clear_after_s: -1\n") == "alarms.yaml:2: timing.clear_after_s: must be a number of seconds, 0 or more, found -1")
        #expect(error("link:\n  rtt_ms: {low: 1}\n  rtt_ms: {low: 2}\n")?.hasPrefix("alarms.yaml:3") == true)
        let syntax = error("link:\n  rtt_ms: {low: 1\n")
        #expect(syntax?.hasPrefix("alarms.yaml:") == true)
        #expect(syntax?.contains("invalid YAML") == true)
    }

    @Test("a missing or unreadable file is an error naming it")
    func unreadable() {
        do {
            _ = try AlarmSettingsFile.load(path: "/nonexistent/alarms.yaml")
            Issue.record("no error")
        } catch {
            #expect(error.description == "/nonexistent/alarms.yaml: no such file")
        }
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        do {
            _ = try AlarmSettingsFile.load(path: dir)
            Issue.record("no error")
        } catch {
            #expect(error.description == "\(dir): not a regular file")
        }
    }
}
