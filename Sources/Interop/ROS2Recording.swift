import MCAP

/// Placeholder for the interface: the `ros2` part replaces this file.
public final class ROS2Recording: ForeignRecording {
    /// A ROS 2 bag already opened as MCAP; `options.topicMap` names the mapping file.
    public init(reader: MCAPReader, path: String, options: InteropOptions) throws(InteropError) {
        throw InteropError("reading ROS 2 bags is not built yet")
    }
    public func read(into buffer: UnsafeMutableRawBufferPointer) -> Int { 0 }
    public func seek(to offset: Int) -> Bool { false }
    public var fileBytesRead: Int { 0 }
    public var fileSize: Int { 0 }
    public var problem: String? { nil }
    public var notes: [String] { [] }
}
