/// Writes frames as compact telemetry v1 lines (no spaces, LF-terminated).
///
/// Numbers use Swift's shortest round-trip form, so decoding an encoded frame
/// gives back exactly the same values. Non-finite numbers have no JSON form and
/// are written as `null`, which a reader rejects: a frame must not carry them.
public struct FrameEncoder: Sendable {
    public init() {}

    /// The frame as one line, including the trailing LF.
    public func encode(_ frame: Frame) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        encode(frame, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the frame's line (with LF) to `out`.
    public func encode(_ frame: Frame, into out: inout [UInt8]) {
        var w = Writer(out: out)
        out = []
        w.open()
        w.number("t", frame.t)
        w.string("type", frame.typeName.rawValue)
        if let seq = frame.seq { w.integer("seq", seq) }
        switch frame.body {
        case .session(let s):
            w.integer("v", s.version)
            w.string("id", s.id)
            w.string("procedure", s.procedure)
            w.string("robot", s.robot)
            w.string("surgeon_site", s.surgeonSite)
            w.string("patient_site", s.patientSite)
            w.number("distance_km", s.distanceKm)
            w.string("started_at", s.startedAt)
            w.number("min_bandwidth_mbps", s.minBandwidthMbps)
            w.key("arms")
            w.raw(UInt8(ascii: "["))
            for (i, arm) in s.arms.enumerated() {
                if i > 0 { w.raw(UInt8(ascii: ",")) }
                var a = Writer(out: [])
                a.open()
                a.string("id", arm.id)
                a.string("kind", arm.kind.rawValue)
                a.key("joints")
                a.raw(UInt8(ascii: "["))
                for (j, joint) in arm.joints.enumerated() {
                    if j > 0 { a.raw(UInt8(ascii: ",")) }
                    var jw = Writer(out: [])
                    jw.open()
                    jw.string("name", joint.name)
                    jw.string("unit", joint.unit.rawValue)
                    jw.number("min", joint.min)
                    jw.number("max", joint.max)
                    jw.number("effort_max", joint.effortMax)
                    jw.close()
                    a.out.append(contentsOf: jw.out)
                }
                a.raw(UInt8(ascii: "]"))
                a.close()
                w.out.append(contentsOf: a.out)
            }
            w.raw(UInt8(ascii: "]"))
        case .link(let l):
            w.string("path", l.path)
            w.bool("up", l.up)
            w.number("rtt_ms", l.rttMs)
            w.number("jitter_ms", l.jitterMs)
            w.number("loss_pct", l.lossPct)
            w.number("bandwidth_mbps", l.bandwidthMbps)
            w.number("video_fps", l.videoFps)
            w.number("video_delay_ms", l.videoDelayMs)
        case .arm(let a):
            w.string("arm", a.arm)
            w.string("state", a.state?.rawValue)
            w.bool("homed", a.homed)
            w.bool("following", a.following)
            w.numbers("position", a.position)
            w.numbers("velocity", a.velocity)
            w.numbers("effort", a.effort)
            w.numbers("tip", a.tip)
            w.numbers("orientation", a.orientation)
            w.numbers("twist", a.twist)
            w.number("jaw", a.jaw)
        case .instrument(let i):
            w.string("arm", i.arm)
            w.instrumentFields(i)
        case .alarm(let a):
            w.string("id", a.id)
            w.string("state", a.state.rawValue)
            w.string("priority", a.priority?.rawValue)
            w.string("kind", a.kind?.rawValue)
            w.string("source", a.source)
            w.string("message", a.message)
        case .event(let e):
            w.string("kind", e.kind)
            w.string("text", e.text)
        case .sync(let sync):
            w.key("alarms")
            w.array(sync.alarms) { a, alarm in
                a.string("id", alarm.id)
                a.string("priority", (alarm.priority ?? .low).rawValue)
                a.string("kind", alarm.kind?.rawValue)
                a.string("source", alarm.source)
                a.string("message", alarm.message)
            }
            if let instruments = sync.instruments {
                w.key("instruments")
                w.array(instruments) { a, i in
                    a.string("arm", i.arm)
                    a.instrumentFields(i)
                }
            }
        }
        w.close()
        w.raw(UInt8(ascii: "\n"))
        out = w.out
    }
}

/// A tiny JSON object writer over bytes.
struct Writer {
    var out: [UInt8]
    private var first = true

    init(out: [UInt8]) {
        self.out = out
    }

    mutating func open() {
        out.append(UInt8(ascii: "{"))
        first = true
    }

    mutating func close() {
        out.append(UInt8(ascii: "}"))
    }

    mutating func raw(_ byte: UInt8) {
        out.append(byte)
    }

    mutating func literal(_ text: String) {
        out.append(contentsOf: text.utf8)
    }

    mutating func key(_ name: String) {
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: name.utf8)
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
    }

    mutating func string(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        JSONText.appendQuoted(value, to: &out)
    }

    mutating func bool(_ name: String, _ value: Bool?) {
        guard let value else { return }
        key(name)
        literal(value ? "true" : "false")
    }

    mutating func integer(_ name: String, _ value: Int) {
        key(name)
        literal(String(value))
    }

    mutating func number(_ name: String, _ value: Double?) {
        guard let value else { return }
        key(name)
        JSONText.appendNumber(value, to: &out)
    }

    /// An instrument's fields after its `arm` (the `instrument` frame and `sync`'s `instruments`).
    mutating func instrumentFields(_ i: InstrumentSample) {
        switch i.tool {
        case .unchanged: break
        case .none:
            key("tool")
            literal("null")
        case .model(let name): string("tool", name)
        }
        string("state", i.state?.rawValue)
        if let uses = i.usesLeft { integer("uses_left", uses) }
        string("energy", i.energy?.rawValue)
        bool("energy_active", i.energyActive)
    }

    /// A JSON array of objects, each written by `body`.
    mutating func array<T>(_ items: [T], _ body: (inout Writer, T) -> Void) {
        out.append(UInt8(ascii: "["))
        for (k, item) in items.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            var element = Writer(out: [])
            element.open()
            body(&element, item)
            element.close()
            out.append(contentsOf: element.out)
        }
        out.append(UInt8(ascii: "]"))
    }

    mutating func numbers(_ name: String, _ values: Readings?) {
        guard let values else { return }
        key(name)
        out.append(UInt8(ascii: "["))
        for (i, v) in values.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONText.appendNumber(v, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }
}

/// JSON text helpers shared by the encoder and by tools that write JSON reports.
public enum JSONText {
    /// Appends `value` as a JSON string literal, escaping quotes, backslashes and control characters.
    public static func appendQuoted(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends a number in its shortest round-trip form; integral values print without a fraction.
    public static func appendNumber(_ value: Double, to out: inout [UInt8]) {
        guard value.isFinite else {
            out.append(contentsOf: "null".utf8)
            return
        }
        if value == value.rounded(.towardZero), abs(value) < 1e15 {
            if value == 0 && value.sign == .minus {
                out.append(contentsOf: "-0".utf8)
            } else {
                out.append(contentsOf: String(Int64(value)).utf8)
            }
            return
        }
        out.append(contentsOf: value.description.utf8)
    }

    /// Encoded JSON with DEL, the C1 controls and invisible format characters (bidi overrides,
    /// zero widths) in its strings written as `\uXXXX` escapes: the same data, but nothing in
    /// it acts on a terminal that shows it, or reorders the text around it.
    public static func escapingInvisibles(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: needsEscape) else { return json }
        var out = ""
        out.reserveCapacity(json.utf8.count + 64)
        for scalar in json.unicodeScalars {
            guard needsEscape(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            if scalar.value > 0xFFFF {
                let v = scalar.value - 0x10000
                out += hexEscape(0xD800 + (v >> 10)) + hexEscape(0xDC00 + (v & 0x3FF))
            } else {
                out += hexEscape(scalar.value)
            }
        }
        return out
    }

    private static func needsEscape(_ s: Unicode.Scalar) -> Bool {
        s.value >= 0x7F && (WireText.isControl(s) || WireText.isInvisibleFormat(s))
    }

    private static func hexEscape(_ v: UInt32) -> String {
        let hex = String(v, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// The number as JSON text.
    public static func number(_ value: Double) -> String {
        var out: [UInt8] = []
        appendNumber(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
