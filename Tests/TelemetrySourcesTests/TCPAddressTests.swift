import Testing
import TelemetrySources

@Suite("Socket address text")
struct TCPAddressTests {
    @Test("HOST:PORT forms", arguments: [
        ("127.0.0.1:7000", "127.0.0.1", 7000),
        ("gateway.or3.local:7100", "gateway.or3.local", 7100),
        ("localhost:1", "localhost", 1),
        ("[::1]:7000", "::1", 7000),
        ("[fe80::1%eth0]:65535", "fe80::1%eth0", 65535),
        ("  10.0.0.5:7000 ", "10.0.0.5", 7000),
    ])
    func hostPort(text: String, host: String, port: Int) throws {
        let a = try HostPort(parsing: text)
        #expect(a == HostPort(host: host, port: port))
    }

    @Test("HOST:PORT prints back with brackets for IPv6")
    func hostPortDescription() throws {
        #expect(try HostPort(parsing: "[::1]:7000").description == "[::1]:7000")
        #expect(try HostPort(parsing: "127.0.0.1:7000").description == "127.0.0.1:7000")
    }

    @Test("HOST:PORT errors are one clear sentence", arguments: [
        ("localhost", "'localhost' has no port: write HOST:PORT, e.g. 127.0.0.1:7000"),
        ("127.0.0.1:99999", "port 99999 is out of range (1–65535)"),
        ("127.0.0.1:0", "port 0 is out of range (1–65535)"),
        ("127.0.0.1:123456789012345678901234", "port 123456789012345678901234 is out of range (1–65535)"),
        ("127.0.0.1:", "the port is missing after ':': write a port number, e.g. 7000"),
        ("127.0.0.1:http", "'http' is not a port number: write digits only, e.g. 7000"),
        ("127.0.0.1:-5", "'-5' is not a port number: write digits only, e.g. 7000"),
        (":7000", "':7000' has no host: write HOST:PORT, e.g. 127.0.0.1:7000"),
        ("", "no address given: write HOST:PORT, e.g. 127.0.0.1:7000"),
        ("::1:7000", "'::1:7000' looks like an IPv6 address: put the address in brackets, e.g. [::1]:7000"),
        ("[::1]", "'[::1]' has no port: write [ADDRESS]:PORT, e.g. [::1]:7000"),
        ("[::1:7000", "'[::1:7000' has no closing ']': write [ADDRESS]:PORT, e.g. [::1]:7000"),
        ("[::1]7000", "'[::1]7000' has unexpected text after ']': write [ADDRESS]:PORT, e.g. [::1]:7000"),
        ("[10.0.0.1]:7000", "'[10.0.0.1]:7000': brackets are only for IPv6 addresses, e.g. [::1]:7000"),
        ("my host:7000", "'my host:7000' is not a valid address: the host contains a space, a slash or a control character"),
    ])
    func hostPortErrors(text: String, message: String) {
        let error = #expect(throws: AddressError.self) { try HostPort(parsing: text) }
        #expect(error?.description == message)
    }

    @Test("listen forms: PORT is loopback", arguments: [
        ("7000", "127.0.0.1", 7000),
        ("0", "127.0.0.1", 0),
        ("0.0.0.0:7000", "0.0.0.0", 7000),
        ("192.168.1.20:7100", "192.168.1.20", 7100),
        ("[::1]:7000", "::1", 7000),
        ("[::]:7000", "::", 7000),
        ("localhost:0", "localhost", 0),
    ])
    func listen(text: String, host: String, port: Int) throws {
        #expect(try ListenAddress(parsing: text) == ListenAddress(host: host, port: port))
    }

    @Test("listen defaults and description")
    func listenDefaults() throws {
        #expect(ListenAddress(port: 7000).host == "127.0.0.1")
        #expect(ListenAddress(port: 7000).description == "127.0.0.1:7000")
        #expect(try ListenAddress(parsing: "[::1]:7000").description == "[::1]:7000")
    }

    @Test("listen errors are one clear sentence", arguments: [
        ("70000", "port 70000 is out of range (0–65535)"),
        ("0.0.0.0:65536", "port 65536 is out of range (0–65535)"),
        ("", "no port given: write PORT or ADDRESS:PORT, e.g. 7000 or 0.0.0.0:7000"),
        ("localhost", "'localhost' has no port: write PORT or ADDRESS:PORT, e.g. 7000 or 0.0.0.0:7000"),
        ("0.0.0.0:x", "'x' is not a port number: write digits only, e.g. 7000"),
        (":7000", "':7000' has no address: write just the port to listen on loopback, e.g. 7000, or ADDRESS:PORT, e.g. 0.0.0.0:7000"),
        ("::1", "'::1' looks like an IPv6 address: put the address in brackets, e.g. [::1]:7000"),
    ])
    func listenErrors(text: String, message: String) {
        let error = #expect(throws: AddressError.self) { try ListenAddress(parsing: text) }
        #expect(error?.description == message)
    }
}
