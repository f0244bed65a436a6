/// Placeholder for the interface: the `jigsaws` part replaces this file.
public final class JIGSAWSRecording: ForeignRecording {
    public init(kinematicsPath: String, transcriptionPath: String?) throws(InteropError) {
        throw InteropError("reading JIGSAWS is not built yet")
    }
    public func read(into buffer: UnsafeMutableRawBufferPointer) -> Int { 0 }
    public func seek(to offset: Int) -> Bool { false }
    public var fileBytesRead: Int { 0 }
    public var fileSize: Int { 0 }
    public var problem: String? { nil }
    public var notes: [String] { [] }
}
