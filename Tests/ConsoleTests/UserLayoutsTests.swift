import Foundation
import Testing
import View
@testable import Console

/// Finding and reading the user's layout files (the view only parses what Console read).
@Suite struct UserLayoutsTests {
    /// A fresh user layouts directory with the given files.
    func directory(_ files: [String: String]) throws -> String {
        let dir = NSTemporaryDirectory() + "surgtop-layouts-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        }
        return dir
    }

    @Test func aMissingUserDirectoryIsNotAnError() {
        let catalog = UserLayouts.catalog(directory: "/nonexistent/surgtop/layouts")
        #expect(catalog.names.count == 4)
        #expect(catalog.userDirectory == "/nonexistent/surgtop/layouts")
        #expect(UserLayouts.catalog(directory: nil).names == LayoutCatalog(userDirectory: nil).names)
    }

    @Test func userLayoutOverridesTheShippedOneAndAddsItsOwn() throws {
        let dir = try directory([
            "technician.yaml": "description: Mine\nmin_width: 40\nmin_height: 10\nroot:\n  panel: link\n",
            "wall.yml": "root:\n  rows:\n    - panel: header\n      size: 2\n    - panel: alarms\n",
            "notes.txt": "ignored",
            ".hidden.yaml": "root:\n  panel: link\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(UserLayouts.files(in: dir).map(\.name) == ["technician", "wall"])
        let catalog = UserLayouts.catalog(directory: dir)
        #expect(catalog.names == ["technician", "trainer", "demo", "compact", "wall"])
        let technician = try catalog.layout(named: "technician").get()
        #expect(technician.description == "Mine")
        #expect(technician.source == .file(dir + "/technician.yaml"))
        #expect(technician.panels == [.link])
        #expect(catalog.entries[0].overridesBuiltIn)
        #expect(try catalog.layout(named: "wall").get().panels == [.header, .alarms])
        #expect(try catalog.layout(named: "wall").get().source == .file(dir + "/wall.yml"))
        #expect(catalog.defaultLayout(for: .live).description == "Mine")
    }

    @Test func aBrokenFileIsListedWithItsErrorAndTheDefaultFallsBack() throws {
        let dir = try directory(["technician.yaml": "root:\n  panel: nope\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let catalog = UserLayouts.catalog(directory: dir)
        guard case .failure(let e) = catalog.layout(named: "technician") else {
            Issue.record("expected an error")
            return
        }
        #expect(e.description.hasPrefix(dir + "/technician.yaml:2:10: unknown panel 'nope'"))
        let start = catalog.startingLayout(requested: "technician", mode: .live)
        #expect(start.layout.name == "technician" && start.layout.source == .builtIn)
        #expect(start.error == e)
    }

    @Test func layoutArgumentPathsAreReadFromDisk() throws {
        let dir = try directory(["big.yaml": "name: big\nroot:\n  panel: arms\n", "anon.yml": "root:\n  panel: link\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let catalog = LayoutCatalog(userDirectory: nil)
        let byPath = try catalog.resolve(dir + "/big.yaml").get()
        #expect(byPath.name == "big" && byPath.panels == [.arms] && byPath.source == .file(dir + "/big.yaml"))
        // A file that does not name its layout is called by its file name.
        #expect(try catalog.resolve(dir + "/anon.yml").get().name == "anon")
        #expect(try catalog.resolve("trainer").get().name == "trainer")
        guard case .failure(let missing) = catalog.resolve("/nonexistent/x.yaml") else { Issue.record("expected an error"); return }
        #expect(missing.description == "/nonexistent/x.yaml: no such file")
        let start = catalog.startingLayout(requested: dir + "/big.yaml", mode: .live)
        #expect(start.layout.name == "big" && start.error == nil)
    }

    @Test func defaultDirectoryFollowsXDG() {
        #expect(UserLayouts.defaultDirectory(environment: ["HOME": "/home/ana"]) == "/home/ana/.config/surgtop/layouts")
        #expect(UserLayouts.defaultDirectory(environment: ["HOME": "/home/ana", "XDG_CONFIG_HOME": "/cfg"])
            == "/cfg/surgtop/layouts")
        #expect(UserLayouts.defaultDirectory(environment: [:]) == nil)
    }
}
