import Foundation
import SessionCore
import Testing
@testable import View

@Suite struct LayoutEngineTests {
    @Test func fixedSizesFirstThenWeights() {
        #expect(LayoutEngine.sizes(total: 40, [.fixed(2), .weight(1), .weight(1), .fixed(1)]) == [2, 19, 18, 1])
        #expect(LayoutEngine.sizes(total: 10, [.weight(1), .weight(2)]) == [3, 7])
        #expect(LayoutEngine.sizes(total: 100, [.weight(3), .weight(2)]) == [60, 40])
    }

    @Test func sizesAlwaysAddUp() {
        for total in 0..<60 {
            let sizes = LayoutEngine.sizes(total: total, [.weight(1), .weight(1), .weight(1), .fixed(1)])
            #expect(sizes.reduce(0, +) == total)
        }
    }

    @Test func minimumsAreServedBeforeWeights() {
        // Weighted alone, the first would get 20 of 60; its minimum says 40.
        #expect(LayoutEngine.sizes(total: 60, [.weight(1, min: 40), .weight(2)]) == [40, 20])
        // When weights already give more than the minimum, the minimum changes nothing.
        #expect(LayoutEngine.sizes(total: 120, [.weight(2, min: 40), .weight(1)]) == [80, 40])
    }

    @Test func whenSpaceRunsOutFixedWinThenMinimumsInOrder() {
        #expect(LayoutEngine.sizes(total: 5, [.fixed(3), .weight(1, min: 4)]) == [3, 2])
        #expect(LayoutEngine.sizes(total: 2, [.fixed(3), .weight(1)]) == [2, 0])
        #expect(LayoutEngine.sizes(total: 7, [.weight(1, min: 4), .weight(1, min: 4)]) == [4, 3])
    }

    @Test func zeroWeightTakesOnlyItsMinimum() {
        #expect(LayoutEngine.sizes(total: 30, [SizeConstraint(min: 5, weight: 0), .weight(1)]) == [5, 25])
    }

    @Test func splitsATreeIntoPanelRectangles() {
        let root = LayoutNode.rows([
            .panel(.header, .fixed(2)),
            .columns([.panel(.link, .weight(2, min: 40)), .panel(.alarms, .weight(1))]),
            .panel(.footer, .fixed(1)),
        ])
        let placed = LayoutEngine.split(Rect(x: 0, y: 0, width: 90, height: 24), root)
        #expect(placed.map(\.panel) == [.header, .link, .alarms, .footer])
        #expect(placed.map(\.rect) == [
            Rect(x: 0, y: 0, width: 90, height: 2),
            Rect(x: 0, y: 2, width: 60, height: 21),
            Rect(x: 60, y: 2, width: 30, height: 21),
            Rect(x: 0, y: 23, width: 90, height: 1),
        ])
    }

    @Test func minimumSizeOfATree() {
        let root = LayoutNode.rows([
            .panel(.header, .fixed(2)),
            .columns([.panel(.link, .weight(2, min: 40)), .panel(.alarms, .weight(1, min: 30))], .weight(1, min: 10)),
        ])
        #expect(root.minimumSize == TerminalSize(width: 70, height: 12))
    }
}

@Suite struct ShippedLayoutTests {
    static let names = ["technician", "trainer", "demo", "compact"]

    @Test(arguments: names)
    func parsesAndFitsItsDeclaredMinimum(name: String) throws {
        let layout = try #require(LayoutCatalog.builtIn(name))
        #expect(layout.name == name)
        #expect(!layout.description.isEmpty)
        let placed = LayoutEngine.split(Rect(x: 0, y: 0, width: layout.minimum.width, height: layout.minimum.height),
                                        layout.root)
        #expect(placed.map(\.panel) == layout.panels)
        for p in placed where ![.header, .caption, .footer].contains(p.panel) {
            #expect(p.rect.width >= 30 && p.rect.height >= 4, "\(name): \(p.panel) has room at the minimum size")
        }
        #expect(layout.panels.contains(.header) && layout.panels.contains(.footer))
    }

    @Test func compactFits80x24() throws {
        let compact = try #require(LayoutCatalog.builtIn("compact"))
        #expect(compact.minimum == TerminalSize(width: 80, height: 24))
    }

    @Test func technicianShowsEverythingButTheTimelineAndTrainerHasOne() throws {
        let technician = try #require(LayoutCatalog.builtIn("technician"))
        #expect(Set(technician.panels) == Set(PanelID.allCases).subtracting([.timeline, .caption, .tips]))
        #expect(try #require(LayoutCatalog.builtIn("trainer")).panels.contains(.timeline))
        // The demo tells its story: captions, the link's charts, the robot moving, arms, alarms, events.
        let demo = try #require(LayoutCatalog.builtIn("demo"))
        #expect(Set(demo.panels).isSuperset(of: [.header, .caption, .link, .tips, .arms, .alarms, .events, .footer]))
        #expect(demo.panels.firstIndex(of: .caption) == 1, "the caption band is under the header")
    }

    @Test func defaultsPerMode() {
        #expect(LayoutCatalog.defaultName(for: .live) == "technician")
        #expect(LayoutCatalog.defaultName(for: .replay) == "trainer")
        #expect(LayoutCatalog.defaultName(for: .demo) == "demo")
    }

    /// The package root, found from this file's path.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test func embeddedCopiesEqualTheFilesByteForByte() throws {
        let dir = Self.packageRoot.appendingPathComponent("Layouts")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.map { String($0.dropLast(5)) } == ShippedLayouts.files.map(\.name).sorted(),
                "run scripts/embed-layouts")
        for file in ShippedLayouts.files {
            let data = try Data(contentsOf: dir.appendingPathComponent(file.name + ".yaml"))
            #expect(Array(data) == Array(file.yaml.utf8), "Layouts/\(file.name).yaml differs: run scripts/embed-layouts")
        }
    }

    @Test func focusMovesThroughScrollablePanelsInReadingOrder() throws {
        let technician = try #require(LayoutCatalog.builtIn("technician"))
        #expect(technician.focusOrder == [.link, .arms, .alarms, .instruments, .events])
        #expect(technician.nextFocus(after: nil) == .link)
        #expect(technician.nextFocus(after: .arms) == .alarms)
        #expect(technician.nextFocus(after: .events) == .link)
    }
}

@Suite struct LayoutFileTests {
    func parse(_ yaml: String) -> Result<Layout, LayoutError> {
        do throws(LayoutError) {
            return .success(try LayoutParser.parse(yaml: yaml, file: "/home/t/mine.yaml", defaultName: "mine"))
        } catch {
            return .failure(error)
        }
    }

    func error(_ yaml: String) -> LayoutError? {
        if case .failure(let e) = parse(yaml) { return e }
        return nil
    }

    @Test func aSmallLayout() throws {
        let layout = try parse("""
            root:
              columns:
                - panel: link
                  min: 30
                - panel: alarms
                  size: 40
            """).get()
        #expect(layout.name == "mine")
        #expect(layout.minimum == TerminalSize(width: 70, height: 1))
        #expect(layout.root == .columns([.panel(.link, SizeConstraint(min: 30, weight: 1)), .panel(.alarms, .fixed(40))]))
    }

    @Test func malformedYAMLNamesFileAndLine() throws {
        let e = try #require(error("""
            name: broken
            root:
              rows:
                - panel: header
                 size: 2
            """))
        #expect(e.file == "/home/t/mine.yaml")
        #expect(e.line == 5)
        #expect(e.description.hasPrefix("/home/t/mine.yaml:5:"))
        #expect(e.problem.hasPrefix("invalid YAML"))
    }

    @Test func unclosedQuoteIsAnError() throws {
        let e = try #require(error("name: \"oops\nroot:\n  panel: link\n"))
        #expect(e.line != nil)
        #expect(e.problem.hasPrefix("invalid YAML"))
    }

    @Test func unknownPanelNamesTheLineAndTheKnownPanels() throws {
        let e = try #require(error("""
            root:
              rows:
                - panel: header
                - panel: alrams
            """))
        #expect(e.line == 4)
        #expect(e.problem.hasPrefix("unknown panel 'alrams' (known panels: header, caption, link, tips, arms"))
        #expect(e.description.hasPrefix("/home/t/mine.yaml:4:"))
    }

    @Test func semanticMistakes() throws {
        let negative = try #require(error("root:\n  rows:\n    - panel: header\n      size: -2\n"))
        #expect(negative.line == 4 && negative.problem == "size must not be negative, found -2")

        let missing = try #require(error("root:\n  rows:\n    - size: 2\n"))
        #expect(missing.line == 3 && missing.problem == "a node needs one of panel, rows or columns")

        let both = try #require(error("root:\n  panel: link\n  rows:\n    - panel: arms\n"))
        #expect(both.line == 3 && both.problem.hasPrefix("a node has one of panel, rows or columns"))

        let noRoot = try #require(error("name: x\n"))
        #expect(noRoot.problem == "the layout has no `root:` node")

        let empty = try #require(error(""))
        #expect(empty.problem.hasPrefix("the file is empty"))

        let typo = try #require(error("root:\n  panel: link\n  wieght: 2\n"))
        #expect(typo.line == 3 && typo.problem.hasPrefix("unknown key 'wieght' in a layout node"))

        let twice = try #require(error("root:\n  rows:\n    - panel: link\n    - panel: link\n"))
        #expect(twice.line == 4 && twice.problem == "panel 'link' is placed twice (first at line 3)")

        let notNumber = try #require(error("root:\n  panel: link\n  min: wide\n"))
        #expect(notNumber.problem == "min must be a whole number, found 'wide'")

        let sizeAndWeight = try #require(error("root:\n  rows:\n    - panel: link\n      size: 3\n      weight: 2\n"))
        #expect(sizeAndWeight.line == 3 && sizeAndWeight.problem == "a node has either a fixed size or a weight, not both")

        let emptyRows = try #require(error("root:\n  rows: []\n"))
        #expect(emptyRows.problem.hasPrefix("rows is empty"))

        let largeOnSplit = try #require(error("root:\n  large: true\n  rows:\n    - panel: link\n"))
        #expect(largeOnSplit.problem == "large applies to a panel, not to rows or columns")
    }

    @Test func declaredMinimumNeverBelowWhatTheTreeNeeds() throws {
        let layout = try parse("min_width: 10\nmin_height: 50\nroot:\n  panel: link\n  min: 3\n").get()
        #expect(layout.minimum == TerminalSize(width: 10, height: 50))
        let bigger = try parse("min_width: 10\nroot:\n  columns:\n    - panel: link\n      size: 30\n").get()
        #expect(bigger.minimum.width == 30)
    }
}

@Suite struct LayoutCatalogTests {
    /// User layout files as Console would have read them from `dir` (the catalog reads none).
    func files(_ texts: [String: String], in dir: String = "/home/ana/.config/surgtop/layouts") -> [LayoutCatalog.UserFile] {
        texts.keys.sorted().map { name in
            LayoutCatalog.UserFile(name: name, path: dir + "/" + name + ".yaml", text: .success(texts[name]!))
        }
    }

    /// A `loadFile` for `resolve`: parses `texts[path]`, or says there is no such file.
    func loader(_ texts: [String: String]) -> (String) -> Result<Layout, LayoutError> {
        { path in
            guard let text = texts[path] else { return .failure(LayoutError(file: path, problem: "no such file")) }
            return LayoutCatalog.parse(text, path: path, name: nil, defaultName: "stem")
        }
    }

    @Test func shippedLayoutsWithoutAUserDirectory() {
        let catalog = LayoutCatalog(userDirectory: nil)
        #expect(catalog.names == ["technician", "trainer", "demo", "compact"])
        #expect(catalog.entries.allSatisfy { $0.source == .builtIn })
        #expect(catalog.next(after: "compact")?.name == "technician")
        #expect(catalog.next(after: "technician")?.name == "trainer")
    }

    @Test func userLayoutOverridesTheShippedOneAndAddsItsOwn() throws {
        let dir = "/home/ana/.config/surgtop/layouts"
        let catalog = LayoutCatalog(userDirectory: dir, userFiles: files([
            "technician": "description: Mine\nmin_width: 40\nmin_height: 10\nroot:\n  panel: link\n",
            "wall": "name: ignored\nroot:\n  rows:\n    - panel: header\n      size: 2\n    - panel: alarms\n",
        ]))
        #expect(catalog.names == ["technician", "trainer", "demo", "compact", "wall"])
        let technician = try catalog.layout(named: "technician").get()
        #expect(technician.description == "Mine")
        #expect(technician.source == .file(dir + "/technician.yaml"))
        #expect(technician.panels == [.link])
        #expect(catalog.entries[0].overridesBuiltIn)
        // A catalog entry is called by its file's name, whatever the file says.
        #expect(try catalog.layout(named: "wall").get().panels == [.header, .alarms])
        #expect(try catalog.layout(named: "wall").get().name == "wall")
        #expect(!catalog.entries[4].overridesBuiltIn)
        #expect(catalog.defaultLayout(for: .live).description == "Mine")
    }

    @Test func brokenUserLayoutIsListedWithItsErrorAndTheDefaultFallsBack() throws {
        let dir = "/home/ana/.config/surgtop/layouts"
        let catalog = LayoutCatalog(userDirectory: dir, userFiles: files(["technician": "root:\n  panel: nope\n"]))
        guard case .failure(let e) = catalog.layout(named: "technician") else {
            Issue.record("expected an error")
            return
        }
        #expect(e.description == dir + "/technician.yaml:2:10: unknown panel 'nope' (known panels: header, caption, link, tips, arms, "
            + "instruments, alarms, events, timeline, footer)")
        #expect(catalog.defaultLayout(for: .live) == LayoutCatalog.builtIn("technician"))
        #expect(!catalog.names.contains("technician"))
        let start = catalog.startingLayout(requested: "technician", mode: .live, loadFile: loader([:]))
        #expect(start.layout.name == "technician" && start.layout.source == .builtIn)
        #expect(start.error == e)
        let listing = catalog.listing()
        #expect(listing[0].hasPrefix("NAME"))
        #expect(listing.contains { $0.contains("ERROR") && $0.contains("unknown panel 'nope'") })
    }

    @Test func aFileThatCouldNotBeReadIsListedWithWhy() {
        let catalog = LayoutCatalog(userDirectory: "/cfg", userFiles: [
            LayoutCatalog.UserFile(name: "pipe", path: "/cfg/pipe.yaml",
                                   text: .failure(LayoutError(file: "/cfg/pipe.yaml", problem: "not a regular file"))),
        ])
        #expect(catalog.entries.last?.name == "pipe")
        #expect(catalog.entries.last?.error?.description == "/cfg/pipe.yaml: not a regular file")
        #expect(!catalog.names.contains("pipe"))
        #expect(catalog.listing().contains { $0.hasPrefix("pipe") && $0.contains("ERROR /cfg/pipe.yaml: not a regular file") })
    }

    @Test func layoutArgumentIsANameOrAPath() throws {
        #expect(LayoutCatalog.isPath("./x"))
        #expect(LayoutCatalog.isPath("mine.yaml"))
        #expect(LayoutCatalog.isPath("mine.yml"))
        #expect(!LayoutCatalog.isPath("trainer"))
        let catalog = LayoutCatalog(userDirectory: nil)
        let load = loader(["/tmp/big.yaml": "name: big\nroot:\n  panel: arms\n", "/tmp/anon.yaml": "root:\n  panel: link\n"])
        let byPath = try catalog.resolve("/tmp/big.yaml", loadFile: load).get()
        #expect(byPath.name == "big" && byPath.panels == [.arms])
        #expect(try catalog.resolve("/tmp/anon.yaml", loadFile: load).get().name == "stem")
        #expect(try catalog.resolve("trainer", loadFile: load).get().name == "trainer")
        guard case .failure(let unknown) = catalog.resolve("nosuch", loadFile: load) else { Issue.record("expected an error"); return }
        #expect(unknown.problem.hasPrefix("no layout named 'nosuch'"))
        guard case .failure(let missing) = catalog.resolve("/nonexistent/x.yaml", loadFile: load) else {
            Issue.record("expected an error")
            return
        }
        #expect(missing.description == "/nonexistent/x.yaml: no such file")
        let start = catalog.startingLayout(requested: "/nonexistent/x.yaml", mode: .replay, loadFile: load)
        #expect(start.layout == LayoutCatalog.builtIn("trainer") && start.error == missing)
    }

    @Test func anUnknownNameSaysWhereUserLayoutsLive() {
        let catalog = LayoutCatalog(userDirectory: "/cfg/surgtop/layouts")
        guard case .failure(let unknown) = catalog.layout(named: "nosuch") else { Issue.record("expected an error"); return }
        #expect(unknown.problem.hasPrefix("no layout named 'nosuch' and there is no /cfg/surgtop/layouts/nosuch.yaml"))
    }

    @Test func listingShowsSourceMinimumAndDescription() throws {
        let dir = "/home/ana/.config/surgtop/layouts"
        let listing = LayoutCatalog(userDirectory: dir, userFiles: files(["wall": "description: On the wall\nroot:\n  panel: alarms\n"]))
            .listing()
        #expect(listing.count == 6)
        #expect(listing[1].hasPrefix("technician  built-in"))
        #expect(listing[1].contains("100x30") && listing[1].hasSuffix("Everything at once, for watching a live session"))
        #expect(listing[5].hasPrefix("wall") && listing[5].contains(dir + "/wall.yaml") && listing[5].hasSuffix("On the wall"))
    }
}

@Suite struct LayoutChoiceTests {
    let catalog = LayoutCatalog(userDirectory: nil)

    @Test func theRequestedLayoutWhenItFits() {
        let technician = LayoutCatalog.builtIn("technician")!
        #expect(LayoutChoice.resolve(requested: technician, size: TerminalSize(width: 120, height: 40), catalog: catalog)
            == .layout(technician))
        #expect(LayoutChoice.resolve(requested: technician, size: TerminalSize(width: 100, height: 30), catalog: catalog)
            == .layout(technician))
    }

    @Test func compactWhenTheTerminalIsSmallerThanTheLayout() {
        let technician = LayoutCatalog.builtIn("technician")!
        #expect(LayoutChoice.resolve(requested: technician, size: TerminalSize(width: 99, height: 40), catalog: catalog)
            .layout?.name == "compact")
        #expect(LayoutChoice.resolve(requested: technician, size: TerminalSize(width: 80, height: 24), catalog: catalog)
            .layout?.name == "compact")
    }

    @Test func tooSmallBelowCompact() {
        let technician = LayoutCatalog.builtIn("technician")!
        #expect(LayoutChoice.resolve(requested: technician, size: TerminalSize(width: 80, height: 23), catalog: catalog)
            == .tooSmall(need: TerminalSize(width: 80, height: 24), have: TerminalSize(width: 80, height: 23)))
    }
}
