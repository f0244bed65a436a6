import ArgumentParser
import Console
import SessionCore
import SystemCalls
import Telemetry
import TelemetrySources
import View

/// Peak resident set size in MB (VmHWM from /proc/self/status): the most the process ever held.
func peakResidentMB() -> Double {
    guard let status = try? SystemCalls.readFile("/proc/self/status") else { return -1 }
    for line in String(decoding: status, as: UTF8.self).split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kB = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? -1
        return Double(kB) / 1024
    }
    return -1
}

/// CPU seconds each of this process's threads has used (/proc/self/task/*/stat: utime and
/// stime, in clock ticks of 1/100 s), busiest first: on a loaded machine what each thread did,
/// which the wall time does not tell.
func threadCPUSeconds() -> [(name: String, seconds: Double)] {
    guard let tasks = try? SystemCalls.directoryEntries("/proc/self/task") else { return [] }
    var threads: [(String, Double)] = []
    for task in tasks {
        guard let stat = try? SystemCalls.readFile("/proc/self/task/\(task)/stat") else { continue }
        let text = String(decoding: stat, as: UTF8.self)
        // The name is in parentheses and may hold spaces: the fields after it are counted from ")".
        guard let close = text.lastIndex(of: ")"), let open = text.firstIndex(of: "(") else { continue }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
        threads.append((String(text[text.index(after: open)..<close]) + " " + task, (user + system) / 100))
    }
    return threads.sorted { $0.1 > $1.1 }
}

/// A replay opened `--from` a time, as the console opens it, without a terminal: the file source
/// fast-forwards on its thread, the console's model applies what the inbox holds and builds a
/// 120x40 frame at most 30 times a second; then optional seeks, each timed until the replay
/// stands there. Prints the times and the resident memory at each position.
struct OpenReplay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open-replay",
        abstract: "Time to open a replay --from a time (the console's path, no terminal), and its memory.")

    @Argument var file: String
    @Option(help: "Session time to open at, seconds.") var from: Double = 0
    @Option(help: "Then seek to these session times in turn (comma-separated seconds).") var seeks: String = ""

    func run() throws {
        let inbox = SourceInbox()
        let control = PlaybackControl()
        control.togglePause()  // once there, stay: the figures are for getting there
        let source = FileSource(path: file, mode: .replay, paced: true, from: from, control: control,
                                backlog: inbox.countProvider)
        do { try source.validate() } catch { throw ValidationError(error.description) }
        var model = ConsoleModel(mode: .replay, label: file, catalog: LayoutCatalog(userDirectory: nil), layoutRequest: nil)
        model.duration = RecordingLength.measure(path: file)
        var buffer = CellBuffer(width: 120, height: 40)
        let start = monotonic()
        source.start(inbox: inbox)
        defer { source.stop() }
        var lastDraw = -Double.infinity
        /// Runs the console's loop body until the replay stands at `target` (or the file ended):
        /// paused, the source holds the frame at `target` back, so within 0.1 s of it. Frames more
        /// than 0.1 s apart: the one before the target may be a while short of it, so the replay
        /// also stands there once nothing has come for `standing` seconds. Returns when it got there.
        func play(to target: Double) -> Double {
            let standing = 0.5
            var lastEvents = monotonic()
            while true {
                let now = monotonic()
                let events = inbox.drain()
                if !events.isEmpty { lastEvents = now }
                model.driver.step(events: events, now: now)
                if model.driver.state.sessionTime >= target - 0.1 || model.driver.sourceState == .ended { return now }
                if now - lastEvents >= standing { return lastEvents }
                if now - lastDraw >= 1.0 / 30 {
                    model.frame(now: now, wallClock: "12:00:00", playback: control.current).render(into: &buffer, state: &model.view)
                    lastDraw = now
                }
                // Below ConsoleLoop.catchUpBacklog (2,000 waiting, or drained last) the console waits for keys.
                if inbox.count < 2_000 && events.count < 2_000 { SystemCalls.sleep(seconds: 0.001) }
            }
        }
        let opened = play(to: from) - start
        print("opened at \(NumberText.fixed(model.driver.state.sessionTime, 1)) s in \(NumberText.fixed(opened, 2)) s, "
              + "resident \(NumberText.fixed(residentMB(), 1)) MB (peak \(NumberText.fixed(peakResidentMB(), 1)) MB)")
        print("OPEN_SECONDS \(NumberText.fixed(opened, 3))")
        let busiest = threadCPUSeconds().prefix(3)
        print("CPU by thread: " + busiest.map { "\($0.name) \(NumberText.fixed($0.seconds, 2)) s" }.joined(separator: ", "))
        print("OPEN_CPU_SECONDS " + busiest.prefix(2).map { NumberText.fixed($0.seconds, 2) }.joined(separator: " "))
        for text in seeks.split(separator: ",") {
            guard let target = Double(text.filter { $0 != " " }), target >= 0 else {
                throw ValidationError("--seeks takes seconds separated by commas, not '\(text)'")
            }
            let began = monotonic()
            let checkpoint = model.driver.checkpoint(forSeekTo: target)
            control.seek(to: target, from: checkpoint)
            // Reached once the source carried the seek out and the state stands at the target.
            let id = control.current.seeks
            while model.driver.lastSeek < id {
                model.driver.step(events: inbox.drain(), now: monotonic())
                SystemCalls.sleep(seconds: 0.001)
            }
            let there = play(to: target)
            print("seek to \(NumberText.fixed(target, 0)) s: \(NumberText.fixed(there - began, 2)) s, "
                  + "resident \(NumberText.fixed(residentMB(), 1)) MB (peak \(NumberText.fixed(peakResidentMB(), 1)) MB)")
        }
        print("PEAK_RESIDENT_MB \(NumberText.fixed(peakResidentMB(), 1))")
    }
}

/// The replay's marker pass over a whole recording, as the console starts it: the time until
/// every marker is known, what it found and the memory it took.
struct Markers: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Time of the replay's marker pass over a recording.")

    @Argument var file: String

    func run() throws {
        let pass = MarkerPass(path: file)
        let start = monotonic()
        pass.start()
        var index = pass.index
        while case .running = index.status {
            SystemCalls.sleep(seconds: 0.01)
            index = pass.index
        }
        let elapsed = monotonic() - start
        var kinds: [String: Int] = [:]
        for marker in index.markers {
            switch marker.kind {
            case .alarm(_, let derived): kinds[derived ? "derived alarm raises" : "robot alarm raises", default: 0] += 1
            case .event: kinds["events", default: 0] += 1
            case .gap: kinds["gaps", default: 0] += 1
            case .session: kinds["session starts", default: 0] += 1
            case .bookmark: kinds["bookmarks", default: 0] += 1
            }
        }
        let found = kinds.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        print("marker pass: \(index.status) in \(NumberText.fixed(elapsed, 2)) s: \(index.sessions.count) sessions, \(found); "
              + "peak resident \(NumberText.fixed(peakResidentMB(), 1)) MB")
        print("MARKER_PASS_SECONDS \(NumberText.fixed(elapsed, 3))")
    }
}
