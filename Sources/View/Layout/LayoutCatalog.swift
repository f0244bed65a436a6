import Foundation
import TelemetrySources
import YAMLFiles

/// Every layout the console can use: the shipped ones (embedded in the binary) and the user's
/// own in `~/.config/surgtop/layouts/NAME.yaml`, where a user file overrides the shipped layout
/// of the same name. The user directory is read once, when the catalog is made.
public struct LayoutCatalog: Sendable {
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

    /// The catalog with user layouts from `userDirectory` (default: see `defaultUserDirectory`).
    public init(userDirectory: String? = LayoutCatalog.defaultUserDirectory()) {
        self.userDirectory = userDirectory
        var entries = LayoutCatalog.builtInEntries
        if let userDirectory {
            for (name, path) in LayoutCatalog.userFiles(in: userDirectory) {
                let entry = Entry(name: name, source: .file(path), result: LayoutCatalog.load(path: path, name: name),
                                  overridesBuiltIn: LayoutCatalog.builtIn(name) != nil)
                if let k = entries.firstIndex(where: { $0.name == name }) {
                    entries[k] = entry
                } else {
                    entries.append(entry)
                }
            }
        }
        self.entries = entries
    }

    /// `$XDG_CONFIG_HOME/surgtop/layouts` when XDG_CONFIG_HOME is set, else
    /// `$HOME/.config/surgtop/layouts`; nil without either.
    public static func defaultUserDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/surgtop/layouts" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.config/surgtop/layouts" }
        return nil
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

    /// Resolves a `--layout NAME|PATH` argument.
    public func resolve(_ argument: String) -> Result<Layout, LayoutError> {
        if LayoutCatalog.isPath(argument) {
            let stem = ((argument as NSString).lastPathComponent as NSString).deletingPathExtension
            return LayoutCatalog.load(path: argument, name: nil, defaultName: stem)
        }
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
    public func startingLayout(requested: String?, mode: SessionMode) -> (layout: Layout, error: LayoutError?) {
        guard let requested else { return (defaultLayout(for: mode), nil) }
        switch resolve(requested) {
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

    // MARK: - files

    /// `NAME.yaml` and `NAME.yml` files of a directory, by name (a missing directory has none).
    static func userFiles(in directory: String) -> [(name: String, path: String)] {
        guard let items = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var out: [String: String] = [:]
        for item in items.sorted() where item.hasSuffix(".yaml") || item.hasSuffix(".yml") {
            let name = (item as NSString).deletingPathExtension
            guard !name.isEmpty, !name.hasPrefix(".") else { continue }
            if out[name] == nil { out[name] = directory + "/" + item }
        }
        return out.keys.sorted().map { ($0, out[$0]!) }
    }

    /// Reads and parses one layout file. `name`, when given, is the layout's name whatever the
    /// file says (a catalog entry is called by its file name).
    public static func load(path: String, name: String?, defaultName: String? = nil) -> Result<Layout, LayoutError> {
        let text: String
        do throws(LayoutError) {
            text = try SettingsFileGuard.readText(path: path)
        } catch {
            return .failure(error)
        }
        let fallbackName = name ?? defaultName ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        do throws(LayoutError) {
            var layout = try LayoutParser.parse(yaml: text, file: path, defaultName: fallbackName, source: .file(path))
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
