/// What the layout asked of each panel's content on the screens before this one, so that a list
/// that shrinks for a moment (one alarm clearing and coming back) does not move every panel.
///
/// A panel's demand grows at once, since rows it needs hide lines until they come; it shrinks
/// only once the panel has wanted less for `holdSeconds` without a break. The seconds are the
/// console's monotonic clock (`ViewContext.now`), what the person watching lives by: a replay
/// paused, fast or seeking, or a live source that stalls, still moves its layout at a pace a
/// reader can follow. The view reads it from `ViewContext.layoutMemory` and hands the next one
/// back in `RenderOutcome.layoutMemory`; the console keeps it between screens. A first screen
/// (a snapshot) starts from none and is a function of the state alone.
public struct LayoutMemory: Sendable, Equatable {
    /// How long a panel wants fewer rows before it gives them up.
    public static let holdSeconds = 10.0

    struct Key: Hashable, Sendable {
        let panel: PanelID
        /// At another width the content asks anew (a resize lays the screen out afresh).
        let width: Int
    }

    struct Held: Sendable, Equatable {
        /// Rows the layout serves the panel's content.
        var want: Int
        /// When it first wanted fewer, with no break since.
        var lessSince: Double?
    }

    var held: [Key: Held] = [:]

    public init() {}

    /// Nothing held: every panel asks what its content needs now.
    public var isEmpty: Bool { held.isEmpty }

    /// The demand to lay out for `panel` at `width`, given what its content asks `now`, and
    /// that remembered in `next` (which holds only the panels asked on this screen).
    func demand(_ panel: PanelID, width: Int, asked: Demand, now: Double, next: inout LayoutMemory) -> Demand {
        let key = Key(panel: panel, width: width)
        guard let want = asked.want else { return asked }
        var kept = Held(want: want, lessSince: nil)
        if let before = held[key], want < before.want {
            // A clock that went back (a new source) starts the wait again.
            let since = before.lessSince.map { $0 <= now ? $0 : now } ?? now
            if now - since < Self.holdSeconds { kept = Held(want: before.want, lessSince: since) }
        }
        next.held[key] = kept
        return Demand(want: kept.want, fill: asked.fill)
    }
}
