import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A telemetry gateway a test controls, on 127.0.0.1 and a port the system picks: it accepts
/// every console, sends each one `greeting` (or nothing), then says nothing more and keeps the
/// connection open, as a gateway that hung after connecting does.
final class SilentGateway: Sendable {
    let port: Int
    private let listener: Int32
    private let state = Mutex<(accepted: Int, open: [Int32], closed: Bool)>((0, [], false))

    struct SocketFailure: Error {
        var call: String
    }

    init(greeting: String? = nil) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketFailure(call: "socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, listen(fd, 16) == 0 else {
            close(fd)
            throw SocketFailure(call: "bind")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let greetingBytes = greeting.map { Array($0.utf8) }
        Thread.detachNewThread { [self] in
            while true {
                let connection = accept(fd, nil, nil)
                if connection < 0 { return }  // shut down
                let keep = state.withLock { s -> Bool in
                    guard !s.closed else { return false }
                    s.accepted += 1
                    s.open.append(connection)
                    return true
                }
                guard keep else {
                    close(connection)
                    return
                }
                if let greetingBytes { _ = greetingBytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
            }
        }
    }

    /// Consoles accepted so far.
    var acceptedCount: Int { state.withLock { $0.accepted } }

    /// Stops accepting and closes every connection.
    func stop() {
        let open = state.withLock { s -> [Int32] in
            guard !s.closed else { return [] }
            s.closed = true
            defer { s.open = [] }
            return s.open
        }
        shutdown(listener, Int32(SHUT_RDWR))
        for connection in open { close(connection) }
    }

    deinit {
        stop()
        close(listener)
    }
}
