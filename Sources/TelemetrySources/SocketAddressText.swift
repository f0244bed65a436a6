import NIOCore
import NIOPosix
import SystemCalls

/// A host and port as typed on the command line could not be understood.
/// The description is one sentence that says what is wrong and how to write it.
public struct AddressError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Where to connect: `HOST:PORT`, or `[IPv6]:PORT` (`surgtop live HOST:PORT`).
public struct HostPort: Sendable, Equatable, CustomStringConvertible {
    /// A host name, an IPv4 address, or an IPv6 address (without brackets).
    public var host: String
    /// 1–65535.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`, `1.2.3.4:PORT` or `[::1]:PORT`.
    public init(parsing text: String) throws(AddressError) {
        let example = "write HOST:PORT, e.g. 127.0.0.1:7000"
        let s = text.trimmingSpaces
        guard !s.isEmpty else { throw AddressError("no address given: \(example)") }
        let (host, portText) = try AddressSyntax.split(s, example: example)
        guard let host, !host.isEmpty else {
            throw AddressError("'\(s)' has no host: \(example)")
        }
        self.host = host
        self.port = try AddressSyntax.port(portText ?? "", allowZero: false)
    }

    /// `host:port`, with brackets around an IPv6 address.
    public var description: String { AddressSyntax.join(host, port) }
}

/// Where to listen: `PORT` (loopback), `ADDR:PORT`, or `[IPv6]:PORT`
/// (`surgtop live --listen …`, `surgtop sim --serve …`). Port 0 asks the system for a free port.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// Loopback unless the user names an address: telemetry should not be exposed by accident.
    public static let defaultHost = "127.0.0.1"

    public var host: String
    /// 0–65535; 0 picks a free port (see `boundPort` of the listener).
    public var port: Int

    public init(host: String = ListenAddress.defaultHost, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `PORT`, `ADDR:PORT` or `[ADDR]:PORT`.
    public init(parsing text: String) throws(AddressError) {
        let example = "write PORT or ADDRESS:PORT, e.g. 7000 or 0.0.0.0:7000"
        let s = text.trimmingSpaces
        guard !s.isEmpty else { throw AddressError("no port given: \(example)") }
        if s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            self.host = Self.defaultHost
            self.port = try AddressSyntax.port(s, allowZero: true)
            return
        }
        let (host, portText) = try AddressSyntax.split(s, example: example)
        guard let host, !host.isEmpty else {
            throw AddressError("'\(s)' has no address: write just the port to listen on loopback, e.g. 7000, or ADDRESS:PORT, e.g. 0.0.0.0:7000")
        }
        self.host = host
        self.port = try AddressSyntax.port(portText ?? "", allowZero: true)
    }

    /// `host:port`, with brackets around an IPv6 address.
    public var description: String { AddressSyntax.join(host, port) }
}

enum AddressSyntax {
    /// Splits `host:port` or `[v6]:port`. Throws when there is no port or a bare IPv6 address.
    static func split(_ s: String, example: String) throws(AddressError) -> (String?, String?) {
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else {
                throw AddressError("'\(s)' has no closing ']': write [ADDRESS]:PORT, e.g. [::1]:7000")
            }
            let host = String(s[s.index(after: s.startIndex)..<close])
            guard host.contains(":") else {
                throw AddressError("'\(s)': brackets are only for IPv6 addresses, e.g. [::1]:7000")
            }
            let rest = s[s.index(after: close)...]
            guard rest.hasPrefix(":") else {
                if rest.isEmpty { throw AddressError("'\(s)' has no port: write [ADDRESS]:PORT, e.g. [::1]:7000") }
                throw AddressError("'\(s)' has unexpected text after ']': write [ADDRESS]:PORT, e.g. [::1]:7000")
            }
            try checkHost(host, whole: s)
            return (host, String(rest.dropFirst()))
        }
        let colons = s.filter { $0 == ":" }.count
        if colons == 0 {
            throw AddressError("'\(s)' has no port: \(example)")
        }
        if colons > 1 {
            throw AddressError("'\(s)' looks like an IPv6 address: put the address in brackets, e.g. [::1]:7000")
        }
        let colon = s.firstIndex(of: ":")!
        let host = String(s[..<colon])
        if !host.isEmpty { try checkHost(host, whole: s) }
        return (host, String(s[s.index(after: colon)...]))
    }

    static func checkHost(_ host: String, whole: String) throws(AddressError) {
        if host.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0 == "/" || $0.value < 0x20 }) {
            throw AddressError("'\(whole)' is not a valid address: the host contains a space, a slash or a control character")
        }
    }

    static func port(_ text: String, allowZero: Bool) throws(AddressError) -> Int {
        guard !text.isEmpty else {
            throw AddressError("the port is missing after ':': write a port number, e.g. 7000")
        }
        guard text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw AddressError("'\(text)' is not a port number: write digits only, e.g. 7000")
        }
        // Long digit strings would overflow Int: anything over 5 digits is out of range anyway.
        let value = text.utf8.count > 6 ? Int.max : Int(text)!
        let lowest = allowZero ? 0 : 1
        guard value >= lowest, value <= 65_535 else {
            throw AddressError("port \(text) is out of range (\(lowest)–65535)")
        }
        return value
    }

    static func join(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s = s.dropFirst() }
        while let c = s.last, c.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}

// MARK: - NIO addresses and errors as text

extension SocketAddress {
    /// `1.2.3.4:5678` or `[::1]:5678`, for people (NIO's own description is for debugging).
    var peerText: String {
        switch self {
        case .v4, .v6:
            if let ip = ipAddress, let port { return AddressSyntax.join(ip, port) }
            return "\(self)"
        case .unixDomainSocket:
            return pathname ?? "a Unix socket"
        }
    }
}

enum SocketErrorText {
    /// A short lowercase reason for a failed connect, read or write: "connection refused",
    /// "connection reset by peer", "cannot resolve gw.local"…
    static func reason(_ error: any Error) -> String {
        if let e = error as? NIOConnectionError {
            return connectFailure(host: e.host, connectionErrors: e.connectionErrors.map(\.error))
        }
        if let e = error as? IOError { return errnoText(e.errnoCode) }
        if let e = error as? SocketAddressError.UnknownHost { return "cannot resolve \(e.host)" }
        if let e = error as? ChannelError {
            switch e {
            case .connectTimeout: return "connection timed out"
            case .eof: return "connection closed by peer"
            default: return "\(e)"
            }
        }
        return "\(error)"
    }

    /// Why connecting to `host` failed. The addresses it was tried at come first: a name whose
    /// A record resolved (and was refused) while its AAAA lookup failed cannot connect because
    /// it was refused, not because it cannot be resolved. No address tried: it did not resolve.
    static func connectFailure(host: String, connectionErrors: [any Error]) -> String {
        // All targets failed; the first one's cause is representative.
        if let first = connectionErrors.first { return reason(first) }
        return "cannot resolve \(host)"
    }

    static func errnoText(_ code: CInt) -> String {
        switch SystemError(code: code) {
        case .connectionRefused: return "connection refused"
        case .connectionReset: return "connection reset by peer"
        case .timedOut: return "connection timed out"
        case .hostUnreachable: return "host unreachable"
        case .networkUnreachable: return "network unreachable"
        case .brokenPipe: return "connection closed by peer"
        case let error:
            let text = error.text
            return text.prefix(1).lowercased() + text.dropFirst()
        }
    }

    /// One sentence for a failed bind: "cannot listen on 127.0.0.1:7000: port 7000 is already in use".
    static func bindFailure(_ error: any Error, address: ListenAddress) -> String {
        let head = "cannot listen on \(address)"
        if let e = error as? IOError {
            switch SystemError(code: e.errnoCode) {
            case .addressInUse:
                return "\(head): port \(address.port) is already in use"
            case .permissionDenied:
                return "\(head): permission denied" + (address.port < 1024 ? " (ports below 1024 need administrator rights)" : "")
            case .addressNotAvailable:
                return "\(head): \(address.host) is not an address of this machine"
            default:
                return "\(head): \(errnoText(e.errnoCode))"
            }
        }
        if let e = error as? SocketAddressError.UnknownHost {
            return "\(head): cannot resolve '\(e.host)'"
        }
        if error is SocketAddressError {
            return "\(head): '\(address.host)' is not a usable address"
        }
        return "\(head): \(reason(error))"
    }
}

/// Binding a listening socket failed (port in use, no permission, unknown address…).
/// The description is one sentence for a person, e.g.
/// "cannot listen on 127.0.0.1:7000: port 7000 is already in use".
public struct ListenError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
