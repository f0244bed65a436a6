import SessionCore
import SystemCalls
import View
import YAMLFiles

/// The user's layout files: where they are (`$XDG_CONFIG_HOME/surgtop/layouts` or
/// `~/.config/surgtop/layouts`, `NAME.yaml` or `NAME.yml`), reading them through
/// `SettingsFileGuard`, and a `--layout PATH` file. The view only parses what is read here.
public enum UserLayouts {
    /// `$XDG_CONFIG_HOME/surgtop/layouts` when XDG_CONFIG_HOME is set, else
    /// `$HOME/.config/surgtop/layouts`; nil without either.
    public static func defaultDirectory(environment: [String: String] = SystemCalls.environment()) -> String? {
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/surgtop/layouts" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.config/surgtop/layouts" }
        return nil
    }

    /// The catalog of the shipped layouts and the user's own from `directory` (default: see
    /// `defaultDirectory`; nil: the shipped layouts only). The directory is read once, here.
    public static func catalog(directory: String? = defaultDirectory()) -> LayoutCatalog {
        LayoutCatalog(userDirectory: directory, userFiles: directory.map(read(directory:)) ?? [])
    }

    /// Every layout file of `directory`, read (a file that cannot be read carries why).
    public static func read(directory: String) -> [LayoutCatalog.UserFile] {
        files(in: directory).map { LayoutCatalog.UserFile(name: $0.name, path: $0.path, text: readText(path: $0.path)) }
    }

    /// `NAME.yaml` and `NAME.yml` files of a directory, by name (a missing directory has none).
    static func files(in directory: String) -> [(name: String, path: String)] {
        guard let items = try? SystemCalls.directoryEntries(directory) else { return [] }
        var out: [String: String] = [:]
        for item in items.sorted() where item.hasSuffix(".yaml") || item.hasSuffix(".yml") {
            let name = stem(item)
            guard !name.isEmpty, !name.hasPrefix(".") else { continue }
            if out[name] == nil { out[name] = directory + "/" + item }
        }
        return out.keys.sorted().map { ($0, out[$0]!) }
    }

    /// The text of a layout file: a regular UTF-8 file of at most 1 MiB (`SettingsFileGuard`).
    public static func readText(path: String) -> Result<String, LayoutError> {
        do throws(LayoutError) {
            return .success(try SettingsFileGuard.readText(path: path))
        } catch {
            return .failure(error)
        }
    }

    /// Reads and parses one layout file. `name`, when given, is the layout's name whatever the
    /// file says; else the file's `name:`, else the file's name without its extension.
    public static func load(path: String, name: String?) -> Result<Layout, LayoutError> {
        let text: String
        switch readText(path: path) {
        case .success(let read): text = read
        case .failure(let error): return .failure(error)
        }
        let file = path.split(separator: "/").last.map(String.init) ?? path
        return LayoutCatalog.parse(text, path: path, name: name, defaultName: stem(file))
    }

    /// A file name without its extension (`wall.yml` → `wall`); a name starting with its only
    /// dot (`.yaml`) has none.
    static func stem(_ file: String) -> String {
        guard let dot = file.lastIndex(of: "."), dot != file.startIndex else { return file }
        return String(file[..<dot])
    }
}

extension LayoutCatalog {
    /// Resolves a `--layout NAME|PATH` argument: a layout of the catalog, or a file read now.
    public func resolve(_ argument: String) -> Result<Layout, LayoutError> {
        resolve(argument, loadFile: { UserLayouts.load(path: $0, name: nil) })
    }

    /// What the console starts with: the requested layout (name or path, a file read now), or
    /// the mode's default when none was asked for; on an error, the default together with the
    /// error to show.
    public func startingLayout(requested: String?, mode: SessionMode) -> (layout: Layout, error: LayoutError?) {
        startingLayout(requested: requested, mode: mode, loadFile: { UserLayouts.load(path: $0, name: nil) })
    }
}
