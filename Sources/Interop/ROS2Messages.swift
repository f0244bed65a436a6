/// The ROS 2 message types surgtop reads from a bag, told by the channel's schema name.
public enum ROS2MessageType: String, Sendable, CaseIterable {
    case jointState = "sensor_msgs/msg/JointState"
    case poseStamped = "geometry_msgs/msg/PoseStamped"
    case transformStamped = "geometry_msgs/msg/TransformStamped"
    case twistStamped = "geometry_msgs/msg/TwistStamped"
    case operatingState = "crtk_msgs/msg/OperatingState"
    case string = "std_msgs/msg/String"

    /// The type a schema names, as `pkg/msg/Type` (ROS 2) or `pkg/Type` (the ROS 1 spelling some tools keep).
    public init?(schemaName: String) {
        let parts = schemaName.split(separator: "/", omittingEmptySubsequences: false)
        let full: String
        switch parts.count {
        case 3 where parts[1] == "msg": full = schemaName
        case 2: full = "\(parts[0])/msg/\(parts[1])"
        default: return nil
        }
        self.init(rawValue: full)
    }
}

/// `std_msgs/Header`: the stamp and frame of a stamped message.
public struct ROS2Header: Sendable, Equatable {
    public var sec: Int32
    public var nanosec: UInt32
    public var frameID: String

    init(_ cdr: inout CDRReader) throws(CDRError) {
        sec = try cdr.int32()
        nanosec = try cdr.uint32()
        frameID = try cdr.string()
    }
}

/// A decoded message of one of the `ROS2MessageType`s, reduced to what surgtop shows.
public enum ROS2Message: Sendable, Equatable {
    /// sensor_msgs/JointState: names, and the arrays (each may be empty).
    case jointState(names: [String], position: [Double], velocity: [Double], effort: [Double])
    /// PoseStamped or TransformStamped: position (m) and quaternion x, y, z, w.
    case pose(position: [Double], orientation: [Double])
    /// TwistStamped: linear (m/s) then angular (rad/s).
    case twist([Double])
    /// crtk_msgs/OperatingState.
    case operatingState(state: String, isHomed: Bool, isBusy: Bool)
    /// std_msgs/String.
    case string(String)

    /// Decodes `data` (a CDR buffer with its encapsulation header) as `type`. Bytes after the message are
    /// allowed (CDR pads to 4), anything missing is an error.
    public static func decode(_ type: ROS2MessageType, from data: some Collection<UInt8>) throws(CDRError) -> ROS2Message {
        var cdr = try CDRReader(data)
        switch type {
        case .jointState:
            _ = try ROS2Header(&cdr)
            let names = try cdr.strings()
            return .jointState(names: names, position: try cdr.float64s(), velocity: try cdr.float64s(), effort: try cdr.float64s())
        case .poseStamped:
            _ = try ROS2Header(&cdr)
            return .pose(position: try doubles(3, &cdr), orientation: try doubles(4, &cdr))
        case .transformStamped:
            _ = try ROS2Header(&cdr)
            _ = try cdr.string()  // child_frame_id
            return .pose(position: try doubles(3, &cdr), orientation: try doubles(4, &cdr))
        case .twistStamped:
            _ = try ROS2Header(&cdr)
            return .twist(try doubles(6, &cdr))
        case .operatingState:
            _ = try ROS2Header(&cdr)
            return .operatingState(state: try cdr.string(), isHomed: try cdr.bool(), isBusy: try cdr.bool())
        case .string:
            return .string(try cdr.string())
        }
    }

    /// `count` float64 fields in a row (Point, Vector3, Quaternion: fixed-size, no count on the wire).
    private static func doubles(_ count: Int, _ cdr: inout CDRReader) throws(CDRError) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try cdr.float64()) }
        return out
    }
}
