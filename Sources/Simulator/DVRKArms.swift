import Telemetry

/// The dVRK arm definitions the simulator uses, as facts written into code.
///
/// Copied from jhu-dvrk/sawIntuitiveResearchKit (commit 9e535e6, `share/kinematic/`
/// and `share/tool/`): `qmin`/`qmax` become `min`/`max`, `ftmax` becomes `effort_max`,
/// revolute joints are in rad and prismatic joints in m. A test checks them against
/// the JSON files in `shared/realdata/dvrk`, so the binary never needs those files.
public enum DVRKArms {
    /// A patient-side manipulator: the arm's yaw, pitch and insertion (PSM.json), then the
    /// instrument's roll and wrist (LARGE_NEEDLE_DRIVER_400006.json). The jaw is sent apart.
    public static let psm: [JointDescriptor] = [
        JointDescriptor(name: "yaw", unit: .rad, min: -1.588, max: 1.588, effortMax: 3.316101),
        JointDescriptor(name: "pitch", unit: .rad, min: -0.925025, max: 0.925025, effortMax: 3.316101),
        JointDescriptor(name: "insertion", unit: .m, min: 0.0, max: 0.24, effortMax: 9.877926),
        JointDescriptor(name: "roll", unit: .rad, min: -4.53786, max: 4.53786, effortMax: 0.33),
        JointDescriptor(name: "wrist_pitch", unit: .rad, min: -1.39626, max: 1.39626, effortMax: 0.25),
        JointDescriptor(name: "wrist_yaw", unit: .rad, min: -1.39626, max: 1.39626, effortMax: 0.20),
    ]

    /// The instrument's jaw (LARGE_NEEDLE_DRIVER_400006.json, "jaw"), sent in the `jaw` field.
    /// The lower limit is negative so the driver can squeeze harder than closed.
    public static let jaw = JointDescriptor(name: "jaw", unit: .rad, min: -0.698132, max: 1.39626, effortMax: 0.16)

    /// The endoscope camera manipulator (ECM.json).
    public static let ecm: [JointDescriptor] = [
        JointDescriptor(name: "yaw", unit: .rad, min: -1.5708, max: 1.5708, effortMax: 26.93208),
        JointDescriptor(name: "pitch", unit: .rad, min: -0.76794, max: 1.1344, effortMax: 26.93208),
        JointDescriptor(name: "insertion", unit: .m, min: 0.0, max: 0.255, effortMax: 80.6589483),
        JointDescriptor(name: "roll", unit: .rad, min: -1.552, max: 1.552, effortMax: 0.87658808),
    ]

    /// The left master (MTML.json). Its outer yaw and wrist platform are the mirror of the
    /// right master's, and its shoulder pitch goes slightly less far back.
    public static let mtml: [JointDescriptor] = [
        JointDescriptor(name: "outer_yaw", unit: .rad, min: -0.698132, max: 1.13446, effortMax: 1.86082986),
        JointDescriptor(name: "shoulder_pitch", unit: .rad, min: -0.261799, max: 1.13446, effortMax: 3.21661506),
        JointDescriptor(name: "elbow_pitch", unit: .rad, min: -0.872665, max: 0.610865, effortMax: 1.95978284),
        JointDescriptor(name: "wrist_platform", unit: .rad, min: -3.5779, max: 1.6580, effortMax: 0.30901338),
        JointDescriptor(name: "wrist_pitch", unit: .rad, min: -1.6580, max: 3.2288, effortMax: 0.09684378),
        JointDescriptor(name: "wrist_yaw", unit: .rad, min: -0.785398, max: 0.785398, effortMax: 0.09684378),
        JointDescriptor(name: "wrist_roll", unit: .rad, min: -8.37758, max: 7.85398, effortMax: 0.02287592),
    ]

    /// The right master (MTMR.json).
    public static let mtmr: [JointDescriptor] = [
        JointDescriptor(name: "outer_yaw", unit: .rad, min: -1.13446, max: 0.698132, effortMax: 1.86082986),
        JointDescriptor(name: "shoulder_pitch", unit: .rad, min: -0.31416, max: 1.13446, effortMax: 3.21661506),
        JointDescriptor(name: "elbow_pitch", unit: .rad, min: -0.872665, max: 0.610865, effortMax: 1.95978284),
        JointDescriptor(name: "wrist_platform", unit: .rad, min: -1.6580, max: 3.5779, effortMax: 0.30901338),
        JointDescriptor(name: "wrist_pitch", unit: .rad, min: -1.6580, max: 3.2288, effortMax: 0.09684378),
        JointDescriptor(name: "wrist_yaw", unit: .rad, min: -0.785398, max: 0.785398, effortMax: 0.09684378),
        JointDescriptor(name: "wrist_roll", unit: .rad, min: -8.37758, max: 7.85398, effortMax: 0.02287592),
    ]

    /// A master's joints. The two masters differ in three limits, so this is the right
    /// master's; the session declares MTML with `mtml` and MTMR with `mtmr`.
    public static let mtm: [JointDescriptor] = mtmr
}
