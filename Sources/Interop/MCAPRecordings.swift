/// Placeholder for the interface: the `mcapin` part replaces this file.
enum MCAPRecordings {
    static func open(path: String, options: InteropOptions) throws(InteropError) -> ForeignRecording {
        throw InteropError("reading MCAP is not built yet")
    }
}
