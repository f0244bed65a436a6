import Interop
import Testing

@Suite("CDR (XCDR1) reading")
struct CDRTests {
    @Test("a JointState reads the same from little-endian and big-endian buffers", arguments: [false, true])
    func jointStateBothOrders(bigEndian: Bool) throws {
        let bytes = CDRBytes.jointState(["yaw", "pitch", "insertion"], position: [0.5, -0.25, 0.125], velocity: [1, 2, 3],
                                        bigEndian: bigEndian)
        #expect(bytes[1] == (bigEndian ? 0x00 : 0x01))
        let decoded = try ROS2Message.decode(.jointState, from: bytes)
        #expect(decoded == .jointState(names: ["yaw", "pitch", "insertion"], position: [0.5, -0.25, 0.125], velocity: [1, 2, 3], effort: []))
    }

    @Test("the byte order comes from the encapsulation header: the same bytes read differently under each")
    func byteOrderFromHeader() throws {
        var little = try CDRReader([0x00, 0x01, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04])
        var big = try CDRReader([0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04])
        #expect(try little.uint32() == 0x0403_0201)
        #expect(try big.uint32() == 0x0102_0304)
        #expect(!little.isBigEndian && big.isBigEndian)
    }

    @Test("alignment counts from the byte after the header: a float64 after a 2-byte string skips to offset 8")
    func alignmentFromOrigin() throws {
        // uint32 length 2, "a", NUL: 6 bytes; the float64 then starts at 8 (2 bytes of padding), not at 6 or 12.
        var c = CDRBytes()
        c.string("a")
        c.f64(3.5)
        #expect(c.body.count == 16)
        var r = try CDRReader(c.bytes)
        #expect(try r.string() == "a")
        #expect(r.position == 6)
        #expect(try r.float64() == 3.5)
        #expect(r.position == 16)
    }

    @Test("a bool then a uint32 pads 3 bytes; two bools then a float64 pad 6", arguments: [false, true])
    func alignmentOfSmallThenLarge(bigEndian: Bool) throws {
        var c = CDRBytes(bigEndian: bigEndian)
        c.bool(true)
        c.u32(7)
        c.bool(false)
        c.bool(true)
        c.f64(-1.5)
        #expect(c.body.count == 24)
        var r = try CDRReader(c.bytes)
        #expect(try r.bool() == true)
        #expect(try r.uint32() == 7)
        #expect(try r.bool() == false)
        #expect(try r.bool() == true)
        #expect(try r.float64() == -1.5)
    }

    @Test("padding bytes need not be zero, and a string's bytes are read as UTF-8")
    func paddingAndUTF8() throws {
        var c = CDRBytes()
        c.string("θ₁")
        c.f64(1)
        let start = 4 + "θ₁".utf8.count + 1
        #expect(c.body.count == 24)
        c.body.replaceSubrange(start..<16, with: repeatElement(0xAA, count: 16 - start))
        var r = try CDRReader(c.bytes)
        #expect(try r.string() == "θ₁")
        #expect(try r.float64() == 1)
    }

    @Test("every message type decodes, in both byte orders", arguments: [false, true])
    func everyType(bigEndian: Bool) throws {
        #expect(try ROS2Message.decode(.poseStamped, from: CDRBytes.poseStamped([0.1, 0.2, 0.3], [0, 0, 0.6, 0.8], bigEndian: bigEndian))
                == .pose(position: [0.1, 0.2, 0.3], orientation: [0, 0, 0.6, 0.8]))
        #expect(try ROS2Message.decode(.transformStamped, from: CDRBytes.transformStamped([1, 2, 3], [0.5, 0.5, 0.5, 0.5], bigEndian: bigEndian))
                == .pose(position: [1, 2, 3], orientation: [0.5, 0.5, 0.5, 0.5]))
        #expect(try ROS2Message.decode(.twistStamped, from: CDRBytes.twistStamped([1, 2, 3, 4, 5, 6], bigEndian: bigEndian))
                == .twist([1, 2, 3, 4, 5, 6]))
        #expect(try ROS2Message.decode(.operatingState, from: CDRBytes.operatingState("ENABLED", homed: true, busy: false, bigEndian: bigEndian))
                == .operatingState(state: "ENABLED", isHomed: true, isBusy: false))
        #expect(try ROS2Message.decode(.string, from: CDRBytes.string("PSM1 homed", bigEndian: bigEndian)) == .string("PSM1 homed"))
        #expect(try ROS2Message.decode(.jointState, from: CDRBytes.jointState([], position: [], bigEndian: bigEndian))
                == .jointState(names: [], position: [], velocity: [], effort: []))
    }

    @Test("schema names are accepted as pkg/msg/Type and pkg/Type, nothing else")
    func schemaNames() {
        #expect(ROS2MessageType(schemaName: "sensor_msgs/msg/JointState") == .jointState)
        #expect(ROS2MessageType(schemaName: "sensor_msgs/JointState") == .jointState)
        #expect(ROS2MessageType(schemaName: "crtk_msgs/OperatingState") == .operatingState)
        #expect(ROS2MessageType(schemaName: "sensor_msgs/srv/JointState") == nil)
        #expect(ROS2MessageType(schemaName: "JointState") == nil)
        #expect(ROS2MessageType(schemaName: "geometry_msgs/msg/Pose") == nil)
    }

    // MARK: - Malformed buffers

    @Test("every message cut at any length is an error, never a crash", arguments: ROS2MessageType.allCases)
    func everyPrefix(type: ROS2MessageType) {
        let whole: [UInt8] = switch type {
        case .jointState: CDRBytes.jointState(["yaw", "pitch"], position: [1, 2], velocity: [3, 4], effort: [5, 6])
        case .poseStamped: CDRBytes.poseStamped([1, 2, 3])
        case .transformStamped: CDRBytes.transformStamped([1, 2, 3])
        case .twistStamped: CDRBytes.twistStamped([1, 2, 3, 4, 5, 6])
        case .operatingState: CDRBytes.operatingState("FAULT", homed: false)
        case .string: CDRBytes.string("hello")
        }
        #expect(throws: Never.self) { try ROS2Message.decode(type, from: whole) }
        for length in 0..<whole.count {
            #expect(throws: CDRError.self, "cut at \(length) of \(whole.count)") { try ROS2Message.decode(type, from: whole.prefix(length)) }
        }
    }

    @Test("a count of 2³² − 1 is refused before anything is allocated, with the bytes that follow")
    func hugeCounts() throws {
        for (what, patch) in [("names", 20), ("position", 24)] {
            var bytes = CDRBytes.jointState([], position: [])
            bytes.replaceSubrange(patch..<patch + 4, with: [0xFF, 0xFF, 0xFF, 0xFF])
            let error = #expect(throws: CDRError.self, "\(what)") { try ROS2Message.decode(.jointState, from: bytes) }
            #expect(error?.description.contains("4294967295") == true, "\(error?.description ?? "")")
        }
        // A string length of 2³² − 1.
        var string = CDRBytes.string("x")
        string.replaceSubrange(4..<8, with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: CDRError.self) { try ROS2Message.decode(.string, from: string) }
        // Big-endian counts are read big-endian: 0x00000100 = 256 names in a tiny buffer.
        var big = CDRBytes.jointState([], position: [], bigEndian: true)
        big.replaceSubrange(20..<24, with: [0x00, 0x00, 0x01, 0x00])
        let error = #expect(throws: CDRError.self) { try ROS2Message.decode(.jointState, from: big) }
        #expect(error?.description.contains("256 string") == true, "\(error?.description ?? "")")
    }

    @Test("a string without its NUL, or of length 0, is refused")
    func stringTerminator() {
        var noNUL = CDRBytes.string("abc")
        noNUL[noNUL.count - 1] = UInt8(ascii: "d")
        let error = #expect(throws: CDRError.self) { try ROS2Message.decode(.string, from: noNUL) }
        #expect(error?.description.contains("NUL") == true)
        #expect(throws: CDRError.self) { try ROS2Message.decode(.string, from: [0x00, 0x01, 0x00, 0x00, 0, 0, 0, 0]) }
    }

    @Test("encapsulations other than plain CDR are refused, naming them", arguments: [
        [0x00, 0x02], [0x00, 0x03], [0x01, 0x00], [0x00, 0x07], [0xFF, 0xFF],
    ] as [[UInt8]])
    func badEncapsulation(header: [UInt8]) {
        let bytes = header + [0x00, 0x00] + Array(CDRBytes.string("x").dropFirst(4))
        let error = #expect(throws: CDRError.self) { try ROS2Message.decode(.string, from: bytes) }
        #expect(error?.description.contains("not plain CDR") == true, "\(error?.description ?? "")")
    }

    @Test("a boolean byte other than 0 or 1 is damage")
    func badBool() {
        var bytes = CDRBytes.operatingState("ENABLED", homed: true)
        bytes[bytes.count - 2] = 7
        #expect(throws: CDRError.self) { try ROS2Message.decode(.operatingState, from: bytes) }
    }

    @Test("random bytes after a valid header never crash the decoder")
    func randomBytes() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let body = (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            for type in ROS2MessageType.allCases {
                _ = try? ROS2Message.decode(type, from: [0x00, 0x01, 0x00, 0x00] + body)
            }
        }
    }
}
