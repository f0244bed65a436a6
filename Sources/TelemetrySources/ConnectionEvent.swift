import Telemetry

/// What happened to a live network source's connection: the console lists each one in the
/// Events panel (kind `connection`) and shows why it cannot connect in the header.
public enum ConnectionEvent: Sendable, Equatable {
    /// The client is connected; `afterOutage` is how long the data had been lost, when this
    /// connection ends an outage (nil for the first one).
    case connected(peer: String, afterOutage: Double?)
    /// A gateway connected to the listener.
    case gatewayConnected(peer: String)
    /// An attempt to connect failed ("connection refused", "cannot resolve no.such.host"); the
    /// next one follows the backoff.
    case cannotConnect(target: String, reason: String)
    /// An established connection ended by the peer or the network.
    case lost(peer: String, reason: String)
    /// The console closed the connection: silent past `telemetry.reconnect_after_s` or the
    /// handshake, or its stream refused. `reconnecting`: the client dials again (the listener
    /// waits for a gateway instead).
    case dropped(peer: String, reason: String, reconnecting: Bool)
    /// The listener refused a second gateway while one is connected.
    case refusedGateway(peer: String, current: String)

    /// One line for the Events panel (sanitised where it is drawn, like every event text).
    public var text: String {
        switch self {
        case .connected(let peer, nil):
            "connected to \(peer)"
        case .connected(let peer, let outage?):
            "reconnected to \(peer) after \(ConnectionTimeline.seconds(outage)) without data"
        case .gatewayConnected(let peer):
            "gateway \(peer) connected"
        case .cannotConnect(let target, let reason):
            "cannot connect to \(target): \(reason)"
        case .lost(let peer, let reason):
            "lost \(peer): \(reason)"
        case .dropped(let peer, let reason, let reconnecting):
            "dropped \(peer): \(reason)" + (reconnecting ? "; reconnecting" : "")
        case .refusedGateway(let peer, let current):
            "refused a second gateway from \(peer) while \(current) is connected"
        }
    }

    /// What makes two events repeats of one another in the Events panel (which collapses
    /// them): the kind, the peer's host (a gateway reconnects from a new port each time) and
    /// the reason without its numbers ("sent no valid frame for 5.2 s" is the same silence as
    /// for 5.4 s).
    public var pattern: String {
        switch self {
        case .connected(let peer, nil): "connected \(Self.host(peer))"
        case .connected(let peer, _?): "reconnected \(Self.host(peer))"
        case .gatewayConnected(let peer): "gateway \(Self.host(peer))"
        case .cannotConnect(let target, let reason): "cannot \(target) \(Self.withoutNumbers(reason))"
        case .lost(let peer, let reason): "lost \(Self.host(peer)) \(Self.withoutNumbers(reason))"
        case .dropped(let peer, let reason, _): "dropped \(Self.host(peer)) \(Self.withoutNumbers(reason))"
        case .refusedGateway(let peer, _): "refused \(Self.host(peer))"
        }
    }

    /// "10.0.0.1:40123" → "10.0.0.1", "[::1]:5" → "[::1]"; anything else as it is.
    static func host(_ peer: String) -> String {
        guard let colon = peer.lastIndex(of: ":"), colon != peer.startIndex else { return peer }
        let port = peer[peer.index(after: colon)...]
        guard !port.isEmpty, port.allSatisfy(\.isASCIIDigitCharacter) else { return peer }
        let head = peer[..<colon]
        // A bare IPv6 address has colons of its own: only "[…]:port" ends in a port.
        if head.contains(":") && !head.hasSuffix("]") { return peer }
        return String(head)
    }

    /// The text with every run of digits (and decimal points within it) as "#".
    static func withoutNumbers(_ text: String) -> String {
        var out = ""
        var inNumber = false
        for c in text {
            if c.isASCIIDigitCharacter || (inNumber && c == ".") {
                if !inNumber { out.append("#") }
                inNumber = true
            } else {
                inNumber = false
                out.append(c)
            }
        }
        return out
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
