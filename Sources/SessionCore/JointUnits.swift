import Telemetry

/// Joint positions as people read them, everywhere: the Arms panel, alarm messages, the alarm
/// log and the report. The wire carries radians and metres; a technician reads degrees and
/// millimetres ("79.9°", "0.1 mm"), never "1.365 rad" next to a panel showing 79.9°.
extension JointUnit {
    /// `value` (in this unit, from the wire) in the unit people read: degrees or millimetres.
    public func readable(_ value: Double) -> Double {
        switch self {
        case .rad: value * 180 / .pi
        case .m: value * 1000
        }
    }

    /// A position in the readable unit with `decimals` decimals: "79.9°", "91.8 mm".
    /// `degree` is the degree sign to draw ("°", or "deg" on an ASCII screen).
    public func readableText(_ value: Double, decimals: Int = 1, degree: String = "°") -> String {
        let number = NumberText.fixed(readable(value), decimals)
        switch self {
        case .rad: return number + degree
        case .m: return number + " mm"
        }
    }

    /// The unit of an effort on a joint of this kind: torque for a rotary joint, force for a
    /// prismatic one.
    public var effortUnit: String {
        switch self {
        case .rad: "N·m"
        case .m: "N"
        }
    }
}
