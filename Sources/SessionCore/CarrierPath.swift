extension SessionState {
    /// The index of the link path carrying the session: the first reported up, else the first
    /// that never said (not known to be down); nil when every path is down. The alarm engine
    /// names it in LINK.<path>.DOWN and checks `min_bandwidth_mbps` on it alone (spec §3: what
    /// the robot needs on its active path); the Link panel colours bandwidth on it alone.
    public var carrierLinkIndex: Int? {
        links.firstIndex { $0.up == true } ?? links.firstIndex { $0.up == nil }
    }
}
