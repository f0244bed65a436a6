/// What `surgtop --version` prints: the program's version and the telemetry format it reads.
enum SurgtopVersion {
    static let number = "0.14.0"
    /// The `v` of the session frames the decoder accepts (telemetry-v1.md).
    static let telemetryFormat = 1
    static let text = "surgtop \(number) (telemetry format v\(telemetryFormat))"
}
