import ArgumentParser
import Interop

/// `--map FILE`: the topic map for a ROS 2 bag (README "ROS 2 bags from a dVRK"). Read before any recording is
/// opened, so a mistake in it stops the command at once with its file, line and column.
struct TopicMapOption: ParsableArguments {
    @Option(help: ArgumentHelp("Topic map (YAML) for a ROS 2 bag (.mcap): which topics feed which arm, which are events (default: the dVRK's CRTK names; see the README).",
                               valueName: "FILE"))
    var map: String?

    /// Checks the file and makes it the map of this run.
    func apply() throws {
        guard let map else { return }
        do { _ = try TopicMap.load(path: map) } catch { throw Failure.usage("--map: \(error)") }
        InteropOptions.current.topicMap = map
    }
}
