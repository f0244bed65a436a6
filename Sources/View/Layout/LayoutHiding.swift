extension Layout {
    /// The layout without `panel`: its node leaves the tree, so its rows or columns go to the
    /// other panels as the layout engine shares space (how `c` hides the caption band). A split
    /// left empty goes too; a layout that is nothing but `panel` stays as it is.
    public func hiding(_ panel: PanelID) -> Layout {
        guard panels.contains(panel), let root = root.removing(panel) else { return self }
        var copy = self
        copy.root = root
        return copy
    }
}

extension LayoutNode {
    /// The node without `panel`; nil when nothing is left of it.
    func removing(_ panel: PanelID) -> LayoutNode? {
        switch content {
        case .panel(let id, _):
            return id == panel ? nil : self
        case .split(let direction, let children):
            let kept = children.compactMap { $0.removing(panel) }
            guard !kept.isEmpty else { return nil }
            var copy = self
            copy.content = .split(direction, kept)
            return copy
        }
    }
}
