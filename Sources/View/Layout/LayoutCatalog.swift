import SessionCore

/// Every layout the console can use: the shipped ones (embedded in the binary) and the user's
/// own in `~/.config/surgtop/layouts/NAME.yaml`, where a user file overrides the shipped layout
/// of the same name. The catalog reads no files: Console finds and reads the user's layout files
/// (`UserLayouts`) and hands their text over, once, when the catalog is made.
public struct LayoutCatalog: Sendable {
    /// A user layout file as it was read: the layout's name (the file's name without `.yaml`),
    /// the file's path, and its text or why it could not be read.
    public struct UserFile: Sendable, Equatable {
        public var name: String
        public var path: String
        public var text: Result<String, LayoutError>

        public init(name: String, path: String, text: Result<String, LayoutError>) {
            self.name = name
            self.path = path
            self.text = text
        }
    }

    /// One layout as `surgtop layouts` lists it.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var source: LayoutSource
        /// The layout, or why its file cannot be used.
        public var result: Result<Layout, LayoutError>
        /// A user file that replaces the shipped layout of the same name.
        public var overridesBuiltIn: Bool

        public var layout: Layout? {
            if case .success(let layout) = result { return layout }
            return nil
        }

        public var error: LayoutError? {
            if case .failure(let error) = result { return error }
            return nil
        }
    }

    /// The shipped layouts in the order `L` cycles through them.
    public static let shippedOrder = ["technician", "trainer", "demo", "compact"]
    /// The layout to fall back to on a terminal too small for the chosen one.
    public static let compactName = "compact"

    /// The directory user layouts were read from (nil: none).
    public let userDirectory: String?
    /// Every layout by name: shipped first in `shippedOrder`, then user-only layouts by name.
    public let entries: [Entry]

    /// The shipped layouts, overridden or added to by `userFiles`, the files of `userDirectory`
    /// by name as Console read them. `LayoutCatalog(userDirectory: nil)`: the shipped layouts only.
    public init(userDirectory: String?, userFiles: [UserFile] = []) {
        self.userDirectory = userDirectory
        var entries = LayoutCatalog.builtInEntries
        for file in userFiles {
            let result: Result<Layout, LayoutError> = switch file.text {
            case .success(let text): LayoutCatalog.parse(text, path: file.path, name: file.name, defaultName: file.name)
            case .failure(let error): .failure(error)
            }
            let entry = Entry(name: file.name, source: .file(file.path), result: result,
                              overridesBuiltIn: LayoutCatalog.builtIn(file.name) != nil)
            if let k = entries.firstIndex(where: { $0.name == file.name }) {
                entries[k] = entry
            } else {
                entries.append(entry)
            }
        }
        self.entries = entries
    }

    // MARK: - shipped

    private static let builtInEntries: [Entry] = {
        var byName: [String: Entry] = [:]
        for file in ShippedLayouts.files {
            let result: Result<Layout, LayoutError>
            do throws(LayoutError) {
                result = .success(try LayoutParser.parse(yaml: file.yaml, file: "built-in " + file.name,
                                                         defaultName: file.name, source: .builtIn))
            } catch {
                result = .failure(error)
            }
            byName[file.name] = Entry(name: file.name, source: .builtIn, result: result, overridesBuiltIn: false)
        }
        let ordered = shippedOrder.compactMap { byName[$0] }
        let others = byName.values.filter { !shippedOrder.contains($0.name) }.sorted { $0.name < $1.name }
        return ordered + others
    }()

    /// A shipped layout by name, ignoring user overrides.
    public static func builtIn(_ name: String) -> Layout? {
        builtInEntries.first { $0.name == name }?.layout
    }

    // MARK: - lookup

    /// The names `L` cycles through (layouts whose file is broken are left out).
    public var names: [String] { entries.filter { $0.layout != nil }.map(\.name) }

    /// The layout called `name`: the user's file if there is one, else the shipped one.
    public func layout(named name: String) -> Result<Layout, LayoutError> {
        if let entry = entries.first(where: { $0.name == name }) { return entry.result }
        let where_ = userDirectory.map { " and there is no \($0)/\(name).yaml" } ?? ""
        return .failure(LayoutError(file: name, problem: "no layout named '\(TerminalText.sanitize(name))'\(where_) "
                                        + "(layouts: \(names.joined(separator: ", ")))"))
    }

    /// Whether a `--layout` argument names a file rather than a layout.
    public static func isPath(_ argument: String) -> Bool {
        argument.contains("/") || argument.hasSuffix(".yaml") || argument.hasSuffix(".yml")
    }

    /// Resolves a `--layout NAME|PATH` argument: a name from the catalog, a path through
    /// `loadFile` (Console's `UserLayouts.load`, which reads the file and calls `parse`).
    public func resolve(_ argument: String, loadFile: (String) -> Result<Layout, LayoutError>) -> Result<Layout, LayoutError> {
        if LayoutCatalog.isPath(argument) { return loadFile(argument) }
        return layout(named: argument)
    }

    /// The layout a mode starts with: technician for live, trainer for replay, demo for demo.
    public static func defaultName(for mode: SessionMode) -> String {
        switch mode {
        case .live: "technician"
        case .replay: "trainer"
        case .demo: "demo"
        }
    }

    /// The mode's default layout: the user's version if it is usable, else the shipped one.
    public func defaultLayout(for mode: SessionMode) -> Layout {
        let name = LayoutCatalog.defaultName(for: mode)
        if case .success(let layout) = layout(named: name) { return layout }
        return LayoutCatalog.builtIn(name) ?? LayoutCatalog.builtIn(LayoutCatalog.compactName)!
    }

    /// The layout for small terminals (the user's `compact` if usable).
    public var compact: Layout {
        if case .success(let layout) = layout(named: LayoutCatalog.compactName) { return layout }
        return LayoutCatalog.builtIn(LayoutCatalog.compactName)!
    }

    /// What the console starts with: the requested layout (name or path), or the mode's default
    /// when none was asked for; on an error, the default together with the error to show.
    public func startingLayout(requested: String?, mode: SessionMode,
                               loadFile: (String) -> Result<Layout, LayoutError>) -> (layout: Layout, error: LayoutError?) {
        guard let requested else { return (defaultLayout(for: mode), nil) }
        switch resolve(requested, loadFile: loadFile) {
        case .success(let layout): return (layout, nil)
        case .failure(let error): return (defaultLayout(for: mode), error)
        }
    }

    /// The layout after `name` in `names` (for the `L` key), wrapping around.
    public func next(after name: String) -> Layout? {
        let all = names
        guard !all.isEmpty else { return nil }
        let k = all.firstIndex(of: name).map { ($0 + 1) % all.count } ?? 0
        return entries.first { $0.name == all[k] }?.layout
    }

    /// `surgtop layouts`: one line per layout with its source, minimum size and description,
    /// or the error that makes it unusable.
    public func listing() -> [String] {
        let nameWidth = max(4, entries.map(\.name.count).max() ?? 0)
        let rows = entries.map { entry -> (String, String, String, String) in
            let source = entry.source.description + (entry.overridesBuiltIn ? " (overrides built-in)" : "")
            switch entry.result {
            case .success(let layout):
                return (entry.name, source, "\(layout.minimum.width)x\(layout.minimum.height)", layout.description)
            case .failure(let error):
                return (entry.name, source, "-", "ERROR " + error.description)
            }
        }
        let sourceWidth = max(6, rows.map(\.1.count).max() ?? 0)
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        var out = [pad("NAME", nameWidth) + "  " + pad("SOURCE", sourceWidth) + "  " + pad("MIN", 7) + "  DESCRIPTION"]
        for row in rows {
            out.append(pad(row.0, nameWidth) + "  " + pad(row.1, sourceWidth) + "  " + pad(row.2, 7) + "  " + row.3)
        }
        return out
    }

    // MARK: - parsing

    /// Parses the text of the layout file at `path`. `name`, when given, is the layout's name
    /// whatever the file says (a catalog entry is called by its file name); else the file's
    /// `name:`, else `defaultName`.
    public static func parse(_ text: String, path: String, name: String?, defaultName: String) -> Result<Layout, LayoutError> {
        do throws(LayoutError) {
            var layout = try LayoutParser.parse(yaml: text, file: path, defaultName: name ?? defaultName, source: .file(path))
            if let name { layout.name = name }
            return .success(layout)
        } catch {
            return .failure(error)
        }
    }
}

/// Which layout to draw on a terminal of a given size.
public enum LayoutChoice: Sendable, Equatable {
    case layout(Layout)
    /// Not even the compact layout fits: show the size needed instead of a broken screen.
    case tooSmall(need: TerminalSize, have: TerminalSize)

    /// The requested layout if the terminal is at least its minimum; else `compact` if that
    /// fits; else `.tooSmall` with compact's minimum.
    public static func resolve(requested: Layout, size: TerminalSize, catalog: LayoutCatalog) -> LayoutChoice {
        if requested.minimum.fits(in: size) { return .layout(requested) }
        let compact = catalog.compact
        if compact.minimum.fits(in: size) { return .layout(compact) }
        // Ask for the smaller of the two when the requested layout is the more modest one.
        let need = requested.minimum.fits(in: compact.minimum) ? requested.minimum : compact.minimum
        return .tooSmall(need: need, have: size)
    }

    /// The layout chosen, if any.
    public var layout: Layout? {
        if case .layout(let layout) = self { return layout }
        return nil
    }
}
