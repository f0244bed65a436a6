import ArgumentParser
import Console
import View

/// `surgtop layouts`: every layout the console can use, and where it comes from.
struct Layouts: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the screen layouts: built-in ones and yours in ~/.config/surgtop/layouts/.",
        discussion: """
        A layout file is YAML: a tree of row and column splits naming the panels (header, link, \
        arms, instruments, alarms, events, timeline, footer), with fixed sizes, weights and minimum \
        sizes. Copy a built-in one from the project's Layouts/ folder to start. A file of yours with \
        the name of a built-in layout replaces it.

        Examples:
          surgtop layouts
          surgtop replay case.ndjson --layout compact
          surgtop live 10.0.0.5:7000 --layout ~/my-layout.yaml
        """
    )

    func run() throws {
        for line in UserLayouts.catalog().listing() { Output.text(line) }
    }
}
