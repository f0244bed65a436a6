import Telemetry

/// A summary of a whole recording, built by feeding it every decoded line in order.
/// `surgtop report` prints it; its `Codable` form is the stable `--json` output.
public struct SessionReport: Sendable, Codable, Equatable {
    public struct Counts: Sendable, Codable, Equatable {
        public var frames: Int = 0
        public var byType: [String: Int] = [:]
        public var badLines: Int = 0
        public var unknownTypes: Int = 0
        public var outOfOrder: Int = 0
        public var sequenceGaps: Int = 0
        public var missingFrames: Int = 0
    }

    public struct Arm: Sendable, Codable, Equatable {
        public var id: String
        public var kind: String
        public var joints: [String]
        public var frames: Int = 0
        /// Seconds spent in each CRTK operating state, by state name.
        public var secondsByState: [String: Double] = [:]
        public var faults: Int = 0
    }

    public struct Stat: Sendable, Codable, Equatable {
        public var p50: Double
        public var p95: Double
        public var p99: Double
        public var max: Double
        public var mean: Double
    }

    public struct Link: Sendable, Codable, Equatable {
        public var path: String
        public var samples: Int = 0
        public var rttMs: Stat?
        public var jitterMs: Stat?
        public var lossPct: Stat?
        public var bandwidthMbps: Stat?
        public var videoFps: Stat?
        /// Glass-to-glass video delay, ms.
        public var videoDelayMs: Stat?
        /// Session seconds during which the path reported itself down.
        public var secondsDown: Double = 0
        /// How many times the path went down.
        public var outages: Int = 0
    }

    /// Link paths the report keeps no figures for: the distinct paths (counted up to
    /// `SessionReportBuilder.leftOutPathsCounted`) and their frames.
    public struct LinksLeftOut: Sendable, Codable, Equatable {
        public var paths = 0
        public var frames = 0
    }

    public struct Alarm: Sendable, Codable, Equatable {
        public var id: String
        public var origin: String
        public var priority: String
        public var firstRaised: Double
        public var raises: Int
        /// Total seconds raised (still-active alarms count up to the end of the recording).
        public var duration: Double
        public var message: String?
        public var peakValue: Double?
        /// The unit of `peakValue` ("ms", "% of range from its limit").
        public var peakUnit: String? = nil
    }

    public struct Event: Sendable, Codable, Equatable {
        public var t: Double
        public var kind: String
        public var text: String?
    }

    public var sessionID: String?
    public var procedure: String?
    public var surgeonSite: String?
    public var patientSite: String?
    public var startedAt: String?
    /// Session seconds from the first to the last frame.
    public var duration: Double = 0
    public var counts = Counts()
    public var arms: [Arm] = []
    public var links: [Link] = []
    /// Link frames of paths past `SessionReportBuilder.linkPathLimit` (nil when none).
    public var linksLeftOut: LinksLeftOut?
    public var alarms: [Alarm] = []
    /// Alarm conditions raised, by priority name.
    public var alarmsByPriority: [String: Int] = [:]
    /// Session seconds during which each priority was the highest active one.
    public var secondsAtPriority: [String: Double] = [:]
    public var eventsByKind: [String: Int] = [:]
    /// The events, in order (at most `eventLimit`).
    public var events: [Event] = []
    /// The first errors with their line numbers (at most `errorLimit`; `counts.badLines` has the total).
    public var errors: [ErrorLine] = []
    /// Sessions in the recording (spec §3, session identity): a session frame with another id,
    /// or the same id with its clock gone back, starts a new one. The report describes the
    /// first; `laterSessions` holds a report of each of the others, never merged.
    public var sessionCount = 1
    public var laterSessions: [SessionReport]?
    /// The skill measures (README "Skill measures").
    public var skills: SkillReport?

    public struct ErrorLine: Sendable, Codable, Equatable {
        public var line: Int
        public var reason: String
    }
}

/// Feeds frames into a `SessionReport`.
public struct SessionReportBuilder: Sendable {
    public var eventLimit = 10_000
    public var errorLimit = 1_000
    /// Only what `check` prints: counts by type, order and gaps, bad lines, sessions. Arms, links,
    /// alarms, events and skill measures are not kept (they are most of the work per frame).
    public var countsOnly = false

    private var report = SessionReport()
    private var firstT: Double?
    /// The greatest `t` so far (the recording's end, for its duration).
    private var lastT: Double?
    private var order = StreamOrder()
    /// Per link (by index), each metric's distribution (`LinkMetric.allCases` order) and since
    /// when the path is down: arrays, not dictionaries by path, as link frames come by the thousand.
    private var linkStats: [[ValueDistribution]] = []
    private var linkIndex: [String: Int] = [:]
    /// Link paths a session's report describes, at most: each keeps six distributions (up to
    /// some 90 KB each), and a hostile file can name a new path on every line. A session has a
    /// handful (the console shows 16); later ones are counted in `linksLeftOut`.
    public static let linkPathLimit = 32
    /// Left-out paths counted by name, at most (the names are kept to count them once).
    public static let leftOutPathsCounted = 1024
    private var leftOutPaths: Set<String> = []
    private var pathDown: [Double?] = []
    private var armIndex: [String: Int] = [:]
    /// Per arm (by index), its CRTK state and since when: time is added to a state when it ends.
    private var armState: [(state: String, since: Double)?] = []
    /// Frames by type, in `FrameType.allCases` order (a dictionary per frame was a hash per frame).
    private var typeCounts = [Int](repeating: 0, count: FrameType.allCases.count)
    private var openAlarms: [String: Double] = [:]
    private var alarmIndex: [String: Int] = [:]
    /// The reports of the sessions before the current one.
    private var finished: [SessionReport] = []
    /// Sessions reported apart, at most: a hostile file restarting its clock on every line must
    /// not grow the report without end. Later ones are counted and reported with the last.
    public var sessionLimit = 100
    /// Sessions beyond `sessionLimit`, reported with the last one.
    private var foldedSessions = 0
    /// Where sessions start: exactly the rule the console follows for a file (`SessionClock`).
    private var sessions = SessionClock(rule: .anywhere)
    private var skills = SkillMeasuresBuilder()

    public init() {}

    /// Whether `frame` starts a new session after the current one (`SessionClock`) that is
    /// reported on its own (within `sessionLimit`).
    public func startsNewSession(_ frame: Frame) -> Bool {
        guard case .session = frame.body else { return false }  // only a session frame starts one
        var clock = sessions
        return isNewSession(frame, clock: &clock) && finished.count + 1 < sessionLimit
    }

    /// Whether `frame` starts a new session, `clock` taking it. A session just ended by
    /// `endSession` (nothing added yet) is the one this frame starts.
    private func isNewSession(_ frame: Frame, clock: inout SessionClock) -> Bool {
        clock.observe(frame)?.startsNewSession == true && report.counts.frames > 0
    }

    /// Closes the current session's report (with the derived alarms `engine` saw in it, if
    /// given); what is added next belongs to a new one.
    public mutating func endSession(alarms engine: AlarmEngine? = nil) {
        var next = SessionReportBuilder()
        next.eventLimit = eventLimit
        next.errorLimit = errorLimit
        next.countsOnly = countsOnly
        next.finished = finished
        next.sessionLimit = sessionLimit
        next.sessions = sessions
        next.foldedSessions = foldedSessions
        next.finished.append(engine.map { finishCurrent(alarms: $0) } ?? finishCurrent())
        self = next
    }

    /// The sessions' reports in order, folded into the first.
    private func combine(_ current: SessionReport) -> SessionReport {
        var all = finished + [current]
        var first = all.removeFirst()
        first.sessionCount = all.count + 1 + foldedSessions
        first.laterSessions = all.isEmpty ? nil : all
        return first
    }

    public mutating func add(_ outcome: DecodeOutcome) {
        switch outcome {
        case .frame(let frame): add(frame)
        case .blank: break
        case .unknownType: report.counts.unknownTypes += 1
        case .error(let error):
            report.counts.badLines += 1
            if report.errors.count < errorLimit {
                report.errors.append(.init(line: error.line, reason: error.reason))
            }
        }
    }

    public mutating func add(_ frame: Frame) {
        let reportedApart = startsNewSession(frame)
        // Observed here, not through `isNewSession`: a method of self taking `&sessions` made
        // Swift copy the whole builder for every frame.
        let hadFrames = report.counts.frames > 0
        if sessions.observe(frame)?.startsNewSession == true && hadFrames {
            if reportedApart { endSession() } else { foldedSessions += 1 }
        }
        let t = frame.t
        report.counts.frames += 1
        typeCounts[frame.typeName.ordinal] += 1
        if firstT == nil { firstT = t }
        order.observe(frame)
        lastT = max(lastT ?? t, t)
        if countsOnly { return }
        skills.add(frame)
        switch frame.body {
        case .session(let info):
            report.sessionID = info.id
            report.procedure = info.procedure
            report.surgeonSite = info.surgeonSite
            report.patientSite = info.patientSite
            report.startedAt = info.startedAt
            for arm in info.arms where armIndex[arm.id] == nil {
                armIndex[arm.id] = report.arms.count
                report.arms.append(.init(id: arm.id, kind: arm.kind.rawValue, joints: arm.joints.map(\.name)))
                armState.append(nil)
            }
        case .arm(let sample):
            // A few arms: comparing ids beats hashing one per frame.
            guard let k = report.arms.firstIndex(where: { $0.id == sample.arm }) else { break }
            report.arms[k].frames += 1
            if let state = sample.state?.rawValue {
                if let previous = armState[k] {
                    guard state != previous.state else { break }
                    report.arms[k].secondsByState[previous.state, default: 0] += max(0, t - previous.since)
                    if state == "FAULT" { report.arms[k].faults += 1 }
                } else if state == "FAULT" {
                    report.arms[k].faults += 1
                }
                armState[k] = (state, t)
            }
        case .link(let sample):
            guard let k = linkSlot(sample.path) else { break }
            report.links[k].samples += 1
            if let up = sample.up {
                if !up, pathDown[k] == nil {
                    pathDown[k] = t
                    report.links[k].outages += 1
                } else if up, let since = pathDown[k] {
                    pathDown[k] = nil
                    report.links[k].secondsDown += max(0, t - since)
                }
            }
            // Values a gateway sends for a path while it is down are no measurements: the
            // console neither shows nor keeps them, and the statistics leave them out too.
            if pathDown[k] == nil {
                for (m, metric) in LinkMetric.allCases.enumerated() {
                    if let v = metric.value(in: sample) { linkStats[k][m].record(v) }
                }
            }
        case .alarm(let alarm):
            switch alarm.state {
            case .raised:
                let priority = alarm.priority?.rawValue ?? "low"
                if let k = alarmIndex[alarm.id] {
                    if openAlarms[alarm.id] == nil {
                        report.alarms[k].raises += 1
                        openAlarms[alarm.id] = t
                        report.alarmsByPriority[priority, default: 0] += 1
                    }
                    if (AlarmPriority(rawValue: priority) ?? .low) > (AlarmPriority(rawValue: report.alarms[k].priority) ?? .low) {
                        report.alarms[k].priority = priority
                    }
                } else {
                    alarmIndex[alarm.id] = report.alarms.count
                    report.alarms.append(.init(id: alarm.id, origin: "device", priority: priority, firstRaised: t,
                                               raises: 1, duration: 0, message: alarm.message, peakValue: nil))
                    openAlarms[alarm.id] = t
                    report.alarmsByPriority[priority, default: 0] += 1
                }
            case .cleared:
                if let since = openAlarms.removeValue(forKey: alarm.id), let k = alarmIndex[alarm.id] {
                    report.alarms[k].duration += max(0, t - since)
                }
            }
        case .event(let event):
            report.eventsByKind[event.kind, default: 0] += 1
            if report.events.count < eventLimit { report.events.append(.init(t: t, kind: event.kind, text: event.text)) }
        case .instrument, .sync:
            break
        }
    }

    /// The index of link `path` in the report, added when new; nil past `linkPathLimit` (the
    /// frame counted as left out). The few paths of a session are compared in place (cheaper
    /// than hashing the name of every link frame); many by name.
    private mutating func linkSlot(_ path: String) -> Int? {
        if report.links.count <= 8 {
            if let k = report.links.firstIndex(where: { $0.path == path }) { return k }
        } else if let k = linkIndex[path] {
            return k
        }
        guard report.links.count < Self.linkPathLimit else {
            var leftOut = report.linksLeftOut ?? .init()
            leftOut.frames += 1
            if leftOutPaths.count < Self.leftOutPathsCounted, leftOutPaths.insert(path).inserted { leftOut.paths += 1 }
            report.linksLeftOut = leftOut
            return nil
        }
        let k = report.links.count
        linkIndex[path] = k
        report.links.append(.init(path: path))
        linkStats.append([ValueDistribution](repeating: ValueDistribution(), count: LinkMetric.allCases.count))
        pathDown.append(nil)
        return k
    }

    /// The finished report with the alarms the engine saw, device and derived, replacing the
    /// builder's own device-only accounting.
    public func finish(alarms engine: AlarmEngine) -> SessionReport {
        combine(finishCurrent(alarms: engine))
    }

    private func finishCurrent(alarms engine: AlarmEngine) -> SessionReport {
        var r = finishCurrent()
        let end = engine.now
        r.alarms = engine.history(at: end).map { record in
            SessionReport.Alarm(id: record.id, origin: record.origin.rawValue, priority: record.peakPriority.rawValue,
                                firstRaised: record.firstRaised, raises: record.raises, duration: record.duration,
                                message: record.message, peakValue: record.peakValue,
                                peakUnit: record.peakValue == nil ? nil : record.peakUnit)
        }
        r.alarmsByPriority = Dictionary(uniqueKeysWithValues: engine.raisesByPriority.map { ($0.key.rawValue, $0.value) })
        for priority in AlarmPriority.allCases {
            r.secondsAtPriority[priority.rawValue] = engine.seconds(withHighest: priority)
        }
        return r
    }

    /// The finished report; still-open intervals are closed at the last frame's time.
    public func finish() -> SessionReport {
        combine(finishCurrent())
    }

    private func finishCurrent() -> SessionReport {
        var r = report
        let end = lastT ?? 0
        r.duration = max(0, end - (firstT ?? end))
        for (k, since) in pathDown.enumerated() {
            if let since { r.links[k].secondsDown += max(0, end - since) }
        }
        for (id, since) in openAlarms {
            if let k = alarmIndex[id] { r.alarms[k].duration += max(0, end - since) }
        }
        for (k, current) in armState.enumerated() {
            if let current { r.arms[k].secondsByState[current.state, default: 0] += max(0, end - current.since) }
        }
        r.skills = skills.finish()
        r.counts.outOfOrder = order.outOfOrder
        r.counts.sequenceGaps = order.sequenceGaps
        r.counts.missingFrames = order.missingFrames
        for (k, type) in FrameType.allCases.enumerated() where typeCounts[k] > 0 {
            r.counts.byType[type.rawValue] = typeCounts[k]
        }
        for k in r.links.indices {
            func stat(_ metric: LinkMetric) -> SessionReport.Stat? {
                Self.stat(linkStats[k][LinkMetric.allCases.firstIndex(of: metric)!])
            }
            r.links[k].rttMs = stat(.rtt)
            r.links[k].jitterMs = stat(.jitter)
            r.links[k].lossPct = stat(.loss)
            r.links[k].bandwidthMbps = stat(.bandwidth)
            r.links[k].videoFps = stat(.videoFps)
            r.links[k].videoDelayMs = stat(.videoDelay)
        }
        return r
    }

    /// Percentiles by the nearest-rank method (within `ValueDistribution`'s precision once a
    /// path has more samples than it keeps exactly); max and mean exact.
    static func stat(_ values: ValueDistribution) -> SessionReport.Stat? {
        guard let p50 = values.value(atPercentile: 50), let p95 = values.value(atPercentile: 95),
              let p99 = values.value(atPercentile: 99), let mean = values.mean else { return nil }
        return .init(p50: p50, p95: p95, p99: p99, max: values.max, mean: mean)
    }
}
