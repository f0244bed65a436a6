import Telemetry

/// The JSON Schemas of surgtop's MCAP channels (`encoding: jsonschema`), one per kind of message, shared by the
/// channels of that kind. Each describes every field a telemetry-v1 frame of that part may carry, with its
/// unit, so Foxglove and PlotJuggler show what a plotted number is. Fields not listed are allowed: a frame
/// written whole (session, sync, link, instrument, alarm, event) keeps a newer gateway's extra fields
/// (spec §1); an arm frame, split in its CRTK parts, keeps only the spec's fields.
public enum SurgtopMCAPSchemas {
    public enum Kind: String, CaseIterable, Sendable {
        case session, sync, link, instrument, alarm, event
        case operatingState = "operating_state"
        case measuredJS = "measured_js"
        case jaw = "jaw_measured_js"
        case measuredCP = "measured_cp"
        case measuredCV = "measured_cv"

        /// The kind of the messages an arm frame's part becomes.
        public init(_ part: SurgtopMCAPProfile.ArmPart) {
            switch part {
            case .operatingState: self = .operatingState
            case .measuredJS: self = .measuredJS
            case .jaw: self = .jaw
            case .measuredCP: self = .measuredCP
            case .measuredCV: self = .measuredCV
            }
        }

        /// The Schema record's name: `surgtop.link`, `surgtop.measured_js`, …
        public var schemaName: String { SurgtopMCAPProfile.schemaPrefix + rawValue }
    }

    /// The schema of `kind` as JSON text (draft 2020-12).
    public static func data(_ kind: Kind) -> [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: #"{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"#.utf8)
        JSONText.appendQuoted(kind.schemaName, to: &out)
        out.append(contentsOf: #","description":"#.utf8)
        JSONText.appendQuoted(description(kind), to: &out)
        append(object(properties(kind), required: required(kind)), to: &out, opened: true)
        return out
    }

    // MARK: - what each kind holds

    private static func description(_ kind: Kind) -> String {
        switch kind {
        case .session: "surgtop telemetry-v1 session frame: what the session is, its arms and their joints."
        case .sync: "surgtop telemetry-v1 sync frame: the robot's active alarms and mounted instruments when the console connected."
        case .link: "surgtop telemetry-v1 link frame: the quality of one network path between surgeon console and robot."
        case .instrument: "surgtop telemetry-v1 instrument frame: the instrument mounted on a PSM."
        case .alarm: "surgtop telemetry-v1 alarm frame: an alarm raised or cleared by the robot."
        case .event: "surgtop telemetry-v1 event frame: a notable moment of the session."
        case .operatingState: "CRTK operating_state of one arm (part of a surgtop arm frame, which keeps only the telemetry-v1 fields)."
        case .measuredJS: "CRTK measured_js of one arm, as sensor_msgs/JointState: joint names, positions, velocities, efforts (part of a surgtop arm frame, which keeps only the telemetry-v1 fields)."
        case .jaw: "CRTK jaw/measured_js: the instrument's jaw (PSM) or gripper (MTM) angle (part of a surgtop arm frame, which keeps only the telemetry-v1 fields)."
        case .measuredCP: "CRTK measured_cp of one arm: the tool tip's position and orientation (part of a surgtop arm frame, which keeps only the telemetry-v1 fields)."
        case .measuredCV: "CRTK measured_cv of one arm: the tool tip's twist (part of a surgtop arm frame, which keeps only the telemetry-v1 fields)."
        }
    }

    private static func properties(_ kind: Kind) -> [(String, Property)] {
        var common: [(String, Property)] = [
            ("t", .number("session time, s since the session's start (t = 0)")),
            ("type", .constant(frameType(kind), "the telemetry-v1 frame type")),
            ("seq", .integer("the gateway's sequence number, +1 per frame; a gap means frames were lost")),
        ]
        let arm: (String, Property) = ("arm", .string("the arm's id, as declared by the session frame (PSM1, ECM, MTML…)"))
        switch kind {
        case .session:
            let joint = object([
                ("name", .string("joint name")),
                ("unit", .string("rad or m")),
                ("min", .number("lower position limit, rad or m")),
                ("max", .number("upper position limit, rad or m")),
                ("effort_max", .number("effort limit, N·m or N")),
            ], required: ["name", "unit"])
            let armDescriptor = object([
                ("id", .string("unique arm name, e.g. PSM1")),
                ("kind", .string("PSM, ECM, MTM or other")),
                ("joints", .array(joint, "joint descriptors, in the order arm frames use")),
            ], required: ["id", "kind"])
            common += [
                ("v", .integer("telemetry format version (1)")),
                ("id", .string("session identifier")),
                ("procedure", .string("the procedure, e.g. Laparoscopic cholecystectomy")),
                ("robot", .string("robot model")),
                ("surgeon_site", .string("where the surgeon's console is")),
                ("patient_site", .string("where the patient-side robot is")),
                ("distance_km", .number("distance between the two sites, km")),
                ("started_at", .string("RFC 3339 UTC wall-clock time of t = 0")),
                ("min_bandwidth_mbps", .number("bandwidth the robot needs on its active path, Mbit/s")),
                ("arms", .array(armDescriptor, "arm descriptors")),
            ]
        case .sync:
            let alarm = object([
                ("id", .string("stable alarm identifier, e.g. PSM1.JOINT_LIMIT")),
                ("priority", .string("high, medium or low (IEC 60601-1-8)")),
                ("kind", .string("technical or physiological")),
                ("source", .string("arm id or subsystem")),
                ("message", .string("human-readable text")),
            ], required: ["id", "priority"])
            let instrument = object(instrumentFields(), required: ["arm"])
            common += [
                ("alarms", .array(alarm, "every alarm the robot has active now")),
                ("instruments", .array(instrument, "the instrument on each arm now")),
            ]
        case .link:
            common += [
                ("path", .string("link name: primary (default), backup…")),
                ("up", .boolean("whether the path carries teleoperation traffic now")),
                ("rtt_ms", .number("round-trip time of the control channel, ms")),
                ("jitter_ms", .number("variation of the one-way delay, ms")),
                ("loss_pct", .number("packet loss over the last second, %")),
                ("bandwidth_mbps", .number("throughput available to the session, Mbit/s")),
                ("video_fps", .number("endoscope video frames per second at the surgeon's console")),
                ("video_delay_ms", .number("glass-to-glass video delay, ms")),
            ]
        case .instrument:
            common += instrumentFields()
        case .alarm:
            common += [
                ("id", .string("stable alarm identifier, e.g. PSM1.JOINT_LIMIT")),
                ("state", .string("raised or cleared")),
                ("priority", .string("high, medium or low (IEC 60601-1-8)")),
                ("kind", .string("technical or physiological")),
                ("source", .string("arm id or subsystem")),
                ("message", .string("human-readable text")),
            ]
        case .event:
            common += [
                ("kind", .string("teleop_engaged, teleop_paused, clutch, camera, instrument_change, gesture, note…")),
                ("text", .string("human-readable text")),
            ]
        case .operatingState:
            common += [
                arm,
                ("state", .string("CRTK operating state: DISABLED, ENABLED, PAUSED or FAULT")),
                ("homed", .boolean("the arm has completed homing")),
                ("following", .boolean("the arm follows the surgeon's master (teleoperation engaged)")),
            ]
        case .measuredJS:
            common += [
                arm,
                ("name", .strings("joint names, from the session frame, in the order of position, velocity and effort")),
                ("position", .numbers("joint positions, rad or m per joint (see the session frame's joints)", nil)),
                ("velocity", .numbers("joint velocities, rad/s or m/s", nil)),
                ("effort", .numbers("joint efforts, N·m or N", nil)),
            ]
        case .jaw:
            common += [arm, ("jaw", .number("jaw angle of the instrument (PSM) or gripper angle (MTM), rad"))]
        case .measuredCP:
            common += [
                arm,
                ("tip", .numbers("tool-tip position x, y, z, m", 3)),
                ("orientation", .numbers("tool-tip orientation quaternion x, y, z, w", 4)),
            ]
        case .measuredCV:
            common += [arm, ("twist", .numbers("tool-tip velocity: linear x, y, z in m/s, then angular x, y, z in rad/s", 6))]
        }
        return common
    }

    private static func instrumentFields() -> [(String, Property)] {
        [
            ("arm", .string("the PSM carrying it")),
            ("tool", .nullableString("instrument model, e.g. LARGE_NEEDLE_DRIVER; null when none is mounted")),
            ("state", .string("NONE, INSERTED, ENGAGING, ENGAGED or FAULT")),
            ("uses_left", .integer("remaining uses of a limited-life instrument")),
            ("energy", .string("NONE, MONOPOLAR or BIPOLAR")),
            ("energy_active", .boolean("energy is being delivered now")),
        ]
    }

    private static func required(_ kind: Kind) -> [String] {
        switch kind {
        case .session: ["t", "type", "v", "id", "arms"]
        case .sync: ["t", "type", "alarms"]
        case .link, .event: ["t", "type"] + (kind == .event ? ["kind"] : [])
        case .instrument: ["t", "type", "arm"]
        case .alarm: ["t", "type", "id", "state"]
        case .operatingState, .measuredJS, .jaw, .measuredCP, .measuredCV: ["t", "type", "arm"]
        }
    }

    private static func frameType(_ kind: Kind) -> String {
        switch kind {
        case .session, .sync, .link, .instrument, .alarm, .event: kind.rawValue
        case .operatingState, .measuredJS, .jaw, .measuredCP, .measuredCV: "arm"
        }
    }

    // MARK: - writing JSON Schema

    private indirect enum Property {
        case number(String), integer(String), string(String), boolean(String), nullableString(String)
        case constant(String, String)
        /// An array of numbers, of exactly the count given (nil: any length).
        case numbers(String, Int?)
        case strings(String)
        case array(Property, String)
        case object([(String, Property)], required: [String])
    }

    private static func object(_ properties: [(String, Property)], required: [String]) -> Property {
        .object(properties, required: required)
    }

    /// Appends `property` as a schema; `opened` continues an object already started (the top level).
    private static func append(_ property: Property, to out: inout [UInt8], opened: Bool = false) {
        func member(_ key: String, _ text: String) {
            out.append(UInt8(ascii: ","))
            JSONText.appendQuoted(key, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONText.appendQuoted(text, to: &out)
        }
        func raw(_ text: String) { out.append(contentsOf: text.utf8) }
        if !opened { raw("{") }
        switch property {
        case .number(let d): raw(#""type":"number""#); member("description", d)
        case .integer(let d): raw(#""type":"integer""#); member("description", d)
        case .string(let d): raw(#""type":"string""#); member("description", d)
        case .boolean(let d): raw(#""type":"boolean""#); member("description", d)
        case .nullableString(let d): raw(#""type":["string","null"]"#); member("description", d)
        case .constant(let value, let d): raw(#""type":"string""#); member("const", value); member("description", d)
        case .numbers(let d, let count):
            raw(#""type":"array","items":{"type":"number"}"#)
            if let count { raw(#","minItems":\#(count),"maxItems":\#(count)"#) }
            member("description", d)
        case .strings(let d): raw(#""type":"array","items":{"type":"string"}"#); member("description", d)
        case .array(let items, let d):
            raw(#""type":"array","items":"#)
            append(items, to: &out)
            member("description", d)
        case .object(let properties, let required):
            if opened { raw(",") }
            raw(#""type":"object","properties":{"#)
            for (k, (name, p)) in properties.enumerated() {
                if k > 0 { raw(",") }
                JSONText.appendQuoted(name, to: &out)
                raw(":")
                append(p, to: &out)
            }
            raw(#"},"required":["#)
            for (k, name) in required.enumerated() {
                if k > 0 { raw(",") }
                JSONText.appendQuoted(name, to: &out)
            }
            raw("]")
        }
        raw("}")
    }
}
