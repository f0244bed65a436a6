import SessionCore
import Telemetry
import TelemetrySources
import Terminal
import View

/// The keys that find a moment of a replay: markers (`n` `N` `e` `E`), a typed time (`g`),
/// frame steps (`.` `,`), the A–B loop (`[` `]`), Home/End, bookmarks (`m`) and the history
/// overlay (`h`). Jumps go through the same seek machinery as ←/→ (checkpoints, sessions).
extension ConsoleModel {
    /// A replay key's commands; nil when `key` is not one of them.
    mutating func handleReplayKey(_ key: Key) -> [ConsoleCommand]? {
        switch key {
        case .character("n"): return jump(to: .alarm, forward: true)
        case .character("N"): return jump(to: .alarm, forward: false)
        case .character("e"): return jump(to: .event, forward: true)
        case .character("E"): return jump(to: .event, forward: false)
        case .character("g"):
            overlay = .prompt(ReplayPrompt(purpose: .goTo))
            return []
        case .character("."): return stepFrame(forward: true)
        case .character(","): return stepFrame(forward: false)
        case .character("["): return setLoop(start: true)
        case .character("]"): return setLoop(start: false)
        case .home: return goToStart()
        case .end: return goToEnd()
        case .character("m"):
            guard bookmarkWriter != nil else {
                say(bookmarksUnavailable)
                return []
            }
            let here = headPosition
            overlay = .prompt(ReplayPrompt(purpose: .bookmark(session: here.session, t: here.t)))
            return []
        case .character("h"):
            guard let index = indexWithBookmarks else {
                say("no history: this replay has no whole-recording pass")
                return []
            }
            let here = headPosition
            // The page the overlay showed last, or a guess until it has been drawn once.
            let rows = view.alarmLogRows > 0 ? view.alarmLogRows : 20
            overlay = .history(HistoryBrowser(index: index, session: here.session, t: here.t, rows: rows))
            return []
        default:
            return nil
        }
    }

    /// Where the replay is headed: a seek under way's target, else where it is (also on the way
    /// to an End whose time is not known: a bookmark or a loop end needs a real moment).
    var headPosition: ReplayPosition {
        pendingSeek.flatMap { $0.target.isFinite ? ReplayPosition(session: $0.session, t: $0.target) : nil } ?? driver.replayPosition
    }

    /// Shows `text` at the left of the footer for a few seconds.
    mutating func say(_ text: String) {
        note = text
        noteShownAt = nil
        bookmarkProblemOnScreen = nil
    }

    /// Seconds a footer note stays.
    static let noteSeconds = 6.0

    // MARK: - Markers

    enum MarkerKind { case alarm, event }

    /// A jump to the next (`forward`) or previous marker of `kind`, in any session.
    private mutating func jump(to kind: MarkerKind, forward: Bool) -> [ConsoleCommand] {
        let word = kind == .alarm ? "alarm raise" : "event"
        guard let index = indexWithBookmarks else {
            say("no \(word)s known: this replay has no whole-recording pass")
            return []
        }
        let from = headPosition
        let found: RecordingMarker?
        let candidates = index.markers.filter {
            if case .alarm = $0.kind { return kind == .alarm }
            return kind == .event && $0.kind == .event
        }
        if forward {
            found = candidates.first { ReplayPosition(session: $0.session, t: $0.t) > from }
        } else {
            // The head lands on the first frame at or after a marker: one just jumped to lies
            // up to a frame behind it, and is not the previous one.
            let before = ReplayPosition(session: from.session, t: from.t - Self.landingSlack)
            found = candidates.last { ReplayPosition(session: $0.session, t: $0.t) < before }
        }
        guard let marker = found else {
            var text = "no \(forward ? "later" : "earlier") \(word)"
            switch index.status {
            case .running(let fraction): text += " found yet (reading the recording: \(NumberText.fixed(fraction * 100, 0)) %)"
            case .unavailable(let why), .failed(let why): text += " (" + why + ")"
            case .done: break
            }
            say(text)
            return []
        }
        say("\(word) at \(Format.clock(marker.t)): \(marker.id)")
        return [go(to: ReplayPosition(session: marker.session, t: marker.t))]
    }

    /// Session seconds a head that landed on a marker may lie past it (a frame's spacing).
    static let landingSlack = 0.25

    /// A seek to `position`, from the nearest kept checkpoint.
    func go(to position: ReplayPosition) -> ConsoleCommand {
        .seek(to: position.t, session: position.session,
              from: driver.checkpoint(forSeekTo: position.t, session: position.session))
    }

    private mutating func goToStart() -> [ConsoleCommand] {
        let start = recordingIndex?.sessions.first?.start ?? driver.sessionSpans[0]?.start ?? 0
        say("start of the recording")
        return [go(to: ReplayPosition(session: 0, t: max(0, start)))]
    }

    private mutating func goToEnd() -> [ConsoleCommand] {
        say("end of the recording")
        if let sessions = recordingIndex?.sessions, let last = sessions.last, recordingIndex?.status == .done {
            return [go(to: ReplayPosition(session: sessions.count - 1, t: last.end))]
        }
        // Without the whole-recording pass the last session is not known (`duration` is only its
        // end): read on as far as the recording goes; the source stops at its end.
        return [go(to: Self.recordingEnd)]
    }

    /// Past every frame of any session: a seek there ends at the recording's last frame.
    static let recordingEnd = ReplayPosition(session: Int.max, t: .infinity)

    /// A jump asked for that the source has not taken yet: a step now would replace it.
    var jumpUnderWay: Bool {
        guard let pending = pendingSeek else { return false }
        return driver.lastSeek < pending.id
    }

    // MARK: - Frame steps and the loop

    /// Session seconds before the frame on screen that a step back's checkpoint lies at least.
    static let stepBackMargin = 1.0

    /// A step of one frame; `perform` pauses a playing replay instead.
    private mutating func stepFrame(forward: Bool) -> [ConsoleCommand] {
        if jumpUnderWay {
            say("a jump is under way: step once it is there")
            return []
        }
        if forward && driver.sourceState == .ended {
            say("the last frame: the recording ends here")
            return []
        }
        let here = driver.replayPosition
        // A checkpoint well before the frame on screen (frames share a `t`), so a few quick
        // presses that add up before the source takes them still start reading before their target.
        let checkpoint = forward ? nil : driver.checkpoint(forSeekTo: here.t - Self.stepBackMargin, session: here.session)
        return [.stepFrame(forward: forward, from: checkpoint)]
    }

    private mutating func setLoop(start: Bool) -> [ConsoleCommand] {
        let here = headPosition
        let shown = Format.clock(here.t)
        if start {
            if loopStart != nil {
                loopStart = nil
                say("loop start cleared")
            } else if let end = loopEnd, here >= end {
                say("the loop's start must come before its end (\(Format.clock(end.t)))")
            } else {
                loopStart = here
                say(loopEnd == nil ? "loop start at \(shown); ] sets its end" : "looping \(shown) to \(Format.clock(loopEnd?.t ?? 0))")
            }
        } else {
            if loopEnd != nil {
                loopEnd = nil
                say("loop end cleared")
            } else if let begin = loopStart, here <= begin {
                say("the loop's end must come after its start (\(Format.clock(begin.t)))")
            } else {
                loopEnd = here
                say(loopStart == nil ? "loop end at \(shown); [ sets its start" : "looping \(Format.clock(loopStart?.t ?? 0)) to \(shown)")
            }
        }
        return []
    }

    // MARK: - The prompt (`g`, `m`)

    mutating func handlePrompt(_ key: Key, _ prompt: inout ReplayPrompt) -> [ConsoleCommand] {
        switch key {
        case .escape:
            overlay = nil
            return []
        case .backspace: prompt.backspace()
        case .character(let c): prompt.type(c)
        case .enter:
            switch prompt.purpose {
            case .goTo:
                switch target(of: prompt.text) {
                case .success(let position):
                    overlay = nil
                    say("go to \(Format.clock(position.t))")
                    return [go(to: position)]
                case .failure(let error):
                    prompt.error = error.description
                }
            case .bookmark(let session, let t):
                overlay = nil
                say("bookmark at \(Format.clock(t)) saved")
                return [.addBookmark(Bookmark(t: t, session: session, note: prompt.text, createdAt: ""))]
            }
        default: break
        }
        overlay = .prompt(prompt)
        return []
    }

    /// Where a typed time lies: a session time names a moment of the session on screen; a clock
    /// time, of the session whose clock passes it (else the one on screen).
    func target(of text: String) -> Result<ReplayPosition, ReplayTimeError> {
        let time: ReplayTime
        switch ReplayTime.parse(text) {
        case .success(let parsed): time = parsed
        case .failure(let error): return .failure(error)
        }
        let session = headPosition.session
        let spans = recordingIndex?.sessions ?? []
        if case .wallClock = time {
            for (ordinal, span) in spans.enumerated() {
                if case .success(let t) = time.sessionTime(startedAt: span.startedAt), t >= span.start, t <= span.end {
                    return .success(ReplayPosition(session: ordinal, t: t))
                }
            }
        }
        let startedAt = spans.indices.contains(session) ? spans[session].startedAt : driver.state.info?.startedAtSeconds
        let t: Double
        switch time.sessionTime(startedAt: startedAt) {
        case .success(let found): t = found
        case .failure(let error): return .failure(error)
        }
        let start = spans.indices.contains(session) ? spans[session].start : 0
        if t < start { return .failure(ReplayTimeError("'\(text)' is before the recording starts")) }
        // `duration` is the end of the recording's last session: it bounds only that one.
        // While the pass reads, a later session may yet turn up.
        let passRunning = if case .running = recordingIndex?.status { true } else { false }
        let lastKnown = max(spans.count - 1, driver.sessionSpans.keys.max() ?? 0, driver.replayPosition.session)
        let end = spans.indices.contains(session) && recordingIndex?.status == .done ? spans[session].end
            : (session == lastKnown && !passRunning ? duration : nil)
        if let end, t > end + 1e-6 {
            return .failure(ReplayTimeError("'\(text)' is past the end of the recording (\(Format.clock(end, tenths: false)))"))
        }
        return .success(ReplayPosition(session: session, t: t))
    }

    // MARK: - The history overlay (`h`)

    mutating func handleHistory(_ key: Key, _ history: inout HistoryBrowser) -> [ConsoleCommand] {
        history.list.rows = max(1, view.alarmLogRows)
        if history.list.editing {
            switch key {
            case .escape: history.list.editing = false
            case .enter: history.find(forward: true)
            case .backspace: if !history.list.query.isEmpty { history.list.query.removeLast() }
            case .character(let c) where history.list.query.count < 200: history.list.query.append(c)
            default: break
            }
            overlay = .history(history)
            return []
        }
        let page = max(1, history.list.rows - 1)
        switch key {
        case .escape, .character("h"):
            overlay = nil
            return []
        case .enter:
            overlay = nil
            guard let marker = history.selectedMarker else { return [] }
            say("\(marker.id) at \(Format.clock(marker.t))")
            return [go(to: ReplayPosition(session: marker.session, t: marker.t))]
        case .up, .character("k"): history.move(by: -1)
        case .down, .character("j"): history.move(by: 1)
        case .pageUp: history.move(by: -page)
        case .pageDown, .character(" "): history.move(by: page)
        case .home, .character("g"): history.move(by: -Int.saturationLimit)
        case .end, .character("G"): history.move(by: Int.saturationLimit)
        case .left: history.list.shift(by: -20)
        case .right: history.list.shift(by: 20)
        case .character("/"): history.list.startSearch()
        case .character("n"): history.find(forward: true)
        case .character("N"): history.find(forward: false)
        default: break
        }
        overlay = .history(history)
        return []
    }

    // MARK: - Following the replay (the loop's side)

    /// Called by the console loop every turn: expires the footer note, takes bookmark write
    /// failures, keeps an open history current, measures the rate the replay reaches, and
    /// carries out the A–B loop. Returns whether the screen needs drawing again.
    public mutating func followReplay(now: Double, playback: PlaybackControl?) -> Bool {
        var changed = false
        if note != nil {
            if let shown = noteShownAt {
                if now - shown > Self.noteSeconds {
                    note = nil
                    noteShownAt = nil
                    bookmarkProblemOnScreen = nil
                    changed = true
                }
            } else {
                noteShownAt = now
            }
        }
        if let problem = bookmarkWriter?.takeProblem() {
            say(problem + "; the bookmark is still shown in this replay")
            bookmarkProblemOnScreen = problem
            changed = true
        }
        if let refused = playback?.takeStepNote() {
            say(refused)
            changed = true
        }
        if case .history(var history) = overlay, let index = indexWithBookmarks {
            let before = history
            history.update(index: index)
            if history != before {
                overlay = .history(history)
                changed = true
            }
        }
        guard mode == .replay, let playback else { return changed }
        let settings = playback.current
        let playing = !settings.paused && pendingSeek == nil && driver.sourceState != .ended
        speedMeter.observe(now: now, position: driver.replayPosition, speed: settings.speed, playing: playing,
                           lateness: playback.lateness())
        if let start = loopStart, let end = loopEnd, !settings.paused, pendingSeek == nil,
           driver.replayPosition >= end || driver.sourceState == .ended {
            perform(go(to: start), playback: playback)
            changed = true
        }
        return changed
    }

    /// Carries out a frame step: one frame while paused; a playing replay is paused instead
    /// (a step from a moving head would land nowhere in particular).
    mutating func performStep(forward: Bool, from checkpoint: ReplayCheckpoint?, playback: PlaybackControl?) {
        guard let playback else { return }
        if !playback.current.paused {
            playback.togglePause()
            say("paused: press \(forward ? "." : ",") again to step one frame")
        } else if forward {
            playback.stepFrameForward()
        } else {
            playback.stepFrameBack(from: checkpoint)
        }
    }
}

/// The rate a replay really reaches, said only while it falls behind: the source's pacer lets
/// frames through late (`PlaybackControl.lateness`), by more than `lateLimit` all through the
/// last couple of seconds and later at their end than at their start (or the inbox holds the
/// source up, which makes it later and later too). The rate is then session seconds the head
/// moved per wall second over them. Sparse frames or a hole move the head in jumps, or not at
/// all, but on time: never "behind".
struct ReplaySpeedMeter: Sendable {
    private var samples: [(wall: Double, position: ReplayPosition, late: Double)] = []
    private var speed = 0.0
    /// Wall seconds measured over.
    static let window = 2.0
    /// Wall seconds late that a replay may be without being behind (a slow frame or two).
    static let lateLimit = 0.5

    mutating func observe(now: Double, position: ReplayPosition, speed: Double, playing: Bool, lateness: Double) {
        if !playing {
            // A pause, a seek, the end: measure afresh from what follows.
            samples.removeAll()
            return
        }
        if speed != self.speed || samples.last.map({ position < $0.position || position.session != $0.position.session }) == true {
            samples.removeAll()
            self.speed = speed
        }
        samples.append((now, position, lateness))
        while samples.count > 2, now - samples[1].wall >= Self.window { samples.removeFirst() }
    }

    /// The rate reached, when the replay is behind and clearly short of `speed`; nil while it
    /// keeps up (or too little has been measured to tell).
    func shortfall(of speed: Double) -> Double? {
        guard speed == self.speed, let first = samples.first, let last = samples.last else { return nil }
        let wall = last.wall - first.wall
        guard wall >= Self.window * 0.75 else { return nil }
        guard samples.allSatisfy({ $0.late > Self.lateLimit }), last.late > first.late else { return nil }
        let achieved = (last.position.t - first.position.t) / wall
        guard achieved < 0.9 * speed else { return nil }
        return max(0, achieved)
    }
}

extension ConsoleModel {
    /// Reads the bookmarks of `recording` (its sidecar) and keeps new ones there; a sidecar's
    /// problem is said in the footer. Standard input has no place for them.
    public mutating func loadBookmarks(recording: String) {
        guard recording != "-", RecordingReader.isRegularFile(recording) else {
            bookmarksUnavailable = "bookmarks are not kept for standard input or a pipe: replay a file to keep them"
            return
        }
        let contents = BookmarkFile.read(recording: recording)
        bookmarks = contents.bookmarks
        bookmarkWriter = BookmarkWriter(recording: recording)
        if let problem = contents.problem { say(problem) }
    }
}
