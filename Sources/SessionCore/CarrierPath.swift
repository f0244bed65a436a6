import Telemetry

extension SessionState {
    /// The index of the link path carrying the session: `primary` when it is up, else the first
    /// reported up, else the first that never said (not known to be down; `primary` first);
    /// nil when every path is down. The alarm engine
    /// names it in LINK.<path>.DOWN and checks `min_bandwidth_mbps` on it alone (spec §3: what
    /// the robot needs on its active path); the Link panel colours bandwidth on it alone.
    public var carrierLinkIndex: Int? {
        let primary = links.firstIndex { $0.path == LinkSample.defaultPath }
        if let primary, links[primary].up == true { return primary }
        if let up = links.firstIndex(where: { $0.up == true }) { return up }
        if let primary, links[primary].up == nil { return primary }
        return links.firstIndex { $0.up == nil }
    }
}
