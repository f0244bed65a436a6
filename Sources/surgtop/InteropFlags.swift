import ArgumentParser
import Interop

/// `--ignore-crc` and `--map FILE`: how `replay`, `check` and `report` read foreign recordings (MCAP
/// files, ROS 2 bags). `apply()` sets them for the run before anything opens a recording.
struct InteropFlags: ParsableArguments {
    @Flag(name: .customLong("ignore-crc"), help: """
        Read an MCAP file whose CRCs do not match its bytes (a copy damaged in transit, a file edited \
        by hand), saying where each mismatch is. Without it, reading stops at the first damaged chunk \
        and the run says so (check and report exit 1).
        """)
    var ignoreCRC = false

    @Option(name: .customLong("map"), help: ArgumentHelp("""
        ROS 2 bags: a YAML topic mapping (which topic is which arm's joints, tool tip, jaw). Default: \
        the dVRK's CRTK names (/PSM1/measured_js, /PSM1/measured_cp, /PSM1/jaw/measured_js, …).
        """, valueName: "FILE"))
    var map: String?

    /// Makes these the options of this run (`InteropOptions.current`). The map is read first, so a mistake
    /// in it stops the command at once with its file, line and column.
    func apply() throws {
        if let map {
            do { _ = try TopicMap.load(path: map) } catch { throw Failure.usage("--map: \(error)") }
        }
        var options = InteropOptions.current
        options.ignoreCRC = ignoreCRC
        options.topicMap = map
        InteropOptions.current = options
    }
}
