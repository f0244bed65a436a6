/// Every key any v1 frame knows. A key outside a frame's own set is ignored for that frame.
enum Key: Int, CaseIterable {
    case t, type, seq
    case v, id, procedure, robot, surgeonSite, patientSite, distanceKm, startedAt, minBandwidthMbps, arms
    case path, up, rttMs, jitterMs, lossPct, bandwidthMbps, videoFps, videoDelayMs
    case arm, state, homed, following, position, velocity, effort, tip, orientation, twist, jaw
    case tool, usesLeft, energy, energyActive
    case priority, kind, source, message, text
    case alarms, instruments

    /// Keys whose value is an array of numbers, read into scratch during the pass.
    var holdsNumbers: Bool {
        switch self {
        case .position, .velocity, .effort, .tip, .orientation, .twist: true
        default: false
        }
    }

    var wireName: String {
        switch self {
        case .surgeonSite: "surgeon_site"
        case .patientSite: "patient_site"
        case .distanceKm: "distance_km"
        case .startedAt: "started_at"
        case .minBandwidthMbps: "min_bandwidth_mbps"
        case .rttMs: "rtt_ms"
        case .jitterMs: "jitter_ms"
        case .lossPct: "loss_pct"
        case .bandwidthMbps: "bandwidth_mbps"
        case .videoFps: "video_fps"
        case .videoDelayMs: "video_delay_ms"
        case .usesLeft: "uses_left"
        case .energyActive: "energy_active"
        default: "\(self)"
        }
    }

    /// The key named by a scanned string, or nil for a key no frame knows.
    static func identify(_ s: JSONScanner, _ raw: JSONScanner.RawString) -> Key? {
        if raw.hasEscapes {
            let text = s.text(raw)
            return Key.allCases.first { $0.wireName == text }
        }
        let n = raw.end - raw.start
        guard n <= 16 else { return n == 18 && s.bytes(raw, equal: "min_bandwidth_mbps") ? .minBandwidthMbps : nil }
        var words: (UInt64, UInt64) = (0, 0)
        for k in 0..<n {
            let byte = UInt64(s.base[raw.start + k]) << UInt64(8 * (k & 7))
            if k < 8 { words.0 |= byte } else { words.1 |= byte }
        }
        return identify(length: n, words.0, words.1)
    }

    /// The key of `length` bytes whose first eight bytes are `first` and next eight `second`
    /// (little-endian, zero-padded). A switch on the length, then one or two integer
    /// comparisons per candidate: no allocation, no call.
    static func identify(length: Int, _ first: UInt64, _ second: UInt64) -> Key? {
        @inline(__always) func word(_ literal: StaticString, from: Int) -> UInt64 {
            var w: UInt64 = 0
            let p = literal.utf8Start
            var k = from
            while k < min(from + 8, literal.utf8CodeUnitCount) {
                w |= UInt64(p[k]) << UInt64(8 * (k - from))
                k += 1
            }
            return w
        }
        @inline(__always) func match(_ literal: StaticString) -> Bool {
            first == word(literal, from: 0) && second == word(literal, from: 8)
        }
        switch length {
        case 1:
            if match("t") { return .t }
            if match("v") { return .v }
        case 2:
            if match("id") { return .id }
            if match("up") { return .up }
        case 3:
            if match("seq") { return .seq }
            if match("arm") { return .arm }
            if match("tip") { return .tip }
            if match("jaw") { return .jaw }
        case 4:
            if match("type") { return .type }
            if match("arms") { return .arms }
            if match("path") { return .path }
            if match("tool") { return .tool }
            if match("kind") { return .kind }
            if match("text") { return .text }
        case 5:
            if match("robot") { return .robot }
            if match("state") { return .state }
            if match("homed") { return .homed }
            if match("twist") { return .twist }
        case 6:
            if match("rtt_ms") { return .rttMs }
            if match("effort") { return .effort }
            if match("energy") { return .energy }
            if match("source") { return .source }
            if match("alarms") { return .alarms }
        case 7:
            if match("message") { return .message }
        case 8:
            if match("loss_pct") { return .lossPct }
            if match("position") { return .position }
            if match("velocity") { return .velocity }
            if match("priority") { return .priority }
        case 9:
            if match("procedure") { return .procedure }
            if match("jitter_ms") { return .jitterMs }
            if match("video_fps") { return .videoFps }
            if match("following") { return .following }
            if match("uses_left") { return .usesLeft }
        case 10:
            if match("started_at") { return .startedAt }
        case 11:
            if match("distance_km") { return .distanceKm }
            if match("orientation") { return .orientation }
            if match("instruments") { return .instruments }
        case 12:
            if match("surgeon_site") { return .surgeonSite }
            if match("patient_site") { return .patientSite }
        case 13:
            if match("energy_active") { return .energyActive }
        case 14:
            if match("bandwidth_mbps") { return .bandwidthMbps }
            if match("video_delay_ms") { return .videoDelayMs }
        default: break
        }
        return nil
    }
}

extension JSONScanner {
    /// Whether the unescaped string `raw` is exactly `literal` (for the few keys longer than
    /// the sixteen bytes `Key.identify` compares as two words).
    func bytes(_ raw: RawString, equal literal: StaticString) -> Bool {
        let n = raw.end - raw.start
        guard n == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        for k in 0..<n where base[raw.start + k] != p[k] { return false }
        return true
    }
}
