/// Reads typed values at remembered positions, with spec-worded type errors.
struct FieldReader {
    var scanner: JSONScanner

    private mutating func seek(_ position: Int) {
        scanner.i = position
    }

    private func typeError(_ key: Key, _ expected: String, _ found: JSONScanner.ValueKind) -> FieldError {
        FieldError(.schema, "field '\(key.wireName)' must be \(expected), not \(article(found))")
    }

    private func article(_ kind: JSONScanner.ValueKind) -> String {
        switch kind {
        case .object, .array: "an \(kind.rawValue)"
        case .null: "null"
        default: "a \(kind.rawValue)"
        }
    }

    mutating func number(_ key: Key, at p: Int) throws -> Double {
        seek(p)
        let kind = try scanner.peekKind()
        guard kind == .number else { throw typeError(key, "a number", kind) }
        return try scanner.scanNumber()
    }

    mutating func integer(_ key: Key, at p: Int) throws -> Int {
        seek(p)
        let kind = try scanner.peekKind()
        guard kind == .number else { throw typeError(key, "an integer", kind) }
        let value = try scanner.scanNumber()
        guard value == value.rounded(.towardZero), abs(value) < 9.0e15 else {
            throw FieldError(.schema, "field '\(key.wireName)' must be an integer, not \(JSONText.number(value))")
        }
        return Int(value)
    }

    mutating func bool(_ key: Key, at p: Int) throws -> Bool {
        seek(p)
        let kind = try scanner.peekKind()
        guard kind == .boolean else { throw typeError(key, "a boolean", kind) }
        return try scanner.scanBool()
    }

    mutating func rawString(_ key: Key, at p: Int) throws -> JSONScanner.RawString {
        seek(p)
        let kind = try scanner.peekKind()
        guard kind == .string else { throw typeError(key, "a string", kind) }
        return try scanner.scanString()
    }

    mutating func string(_ key: Key, at p: Int, expected: String = "a string") throws -> String {
        seek(p)
        let kind = try scanner.peekKind()
        guard kind == .string else { throw typeError(key, expected, kind) }
        return scanner.text(try scanner.scanString())
    }

    /// An array of numbers of exactly `length` elements.
    mutating func numbers(_ key: Key, at p: Int, length: Int, arm: String?) throws -> [Double] {
        seek(p)
        let kind = try scanner.peekKind()
        guard kind == .array else { throw typeError(key, "an array of numbers", kind) }
        scanner.i += 1
        var values: [Double] = []
        values.reserveCapacity(length)
        scanner.skipWhitespace()
        if scanner.peek() == UInt8(ascii: "]") {
            scanner.i += 1
        } else {
            while true {
                let element = try scanner.peekKind()
                guard element == .number else {
                    throw FieldError(.schema, "field '\(key.wireName)' must hold numbers only, found \(article(element))")
                }
                values.append(try scanner.scanNumber())
                scanner.skipWhitespace()
                if scanner.peek() == UInt8(ascii: ",") {
                    scanner.i += 1
                    continue
                }
                try scanner.expect(UInt8(ascii: "]"), "',' or ']'")
                break
            }
        }
        try FieldError.checkLength(key, values.count, length, arm: arm)
        return values
    }

    /// The session frame's `arms` array.
    mutating func armDescriptors(at p: Int) throws -> [ArmDescriptor] {
        try objects(.arms, at: p) { r, o in
            guard let idP = o["id"] else { throw FieldError(.schema, "arm descriptor: missing required field 'id'") }
            guard let kindP = o["kind"] else { throw FieldError(.schema, "arm descriptor: missing required field 'kind'") }
            let id = try r.string(.id, at: idP)
            let kindText = try r.string(.kind, at: kindP)
            guard let kind = ArmKind(rawValue: kindText) else {
                throw FieldError(.schema, "arm descriptor \(WireText.quoted(id)): kind must be PSM, ECM, MTM or other, not \(WireText.quoted(kindText))")
            }
            var joints: [JointDescriptor] = []
            if let jP = o["joints"] {
                joints = try r.objects(.arms, at: jP) { r, j in
                    guard let nameP = j["name"] else {
                        throw FieldError(.schema, "joint descriptor of \(WireText.quoted(id)): missing required field 'name'")
                    }
                    guard let unitP = j["unit"] else {
                        throw FieldError(.schema, "joint descriptor of \(WireText.quoted(id)): missing required field 'unit'")
                    }
                    let name = try r.string(.arms, at: nameP, expected: "a string ('name')")
                    let unitText = try r.string(.arms, at: unitP, expected: "a string ('unit')")
                    guard let unit = JointUnit(rawValue: unitText) else {
                        throw FieldError(.schema, "joint \(WireText.quoted(name)) of \(WireText.quoted(id)): unit must be 'rad' or 'm', not \(WireText.quoted(unitText))")
                    }
                    var joint = JointDescriptor(name: name, unit: unit)
                    if let q = j["min"] { joint.min = try r.number(.arms, at: q) }
                    if let q = j["max"] { joint.max = try r.number(.arms, at: q) }
                    if let q = j["effort_max"] { joint.effortMax = try r.number(.arms, at: q) }
                    return joint
                }
            }
            return ArmDescriptor(id: id, kind: kind, joints: joints)
        }
    }

    /// Reads an array of objects; each object's members are given to `body` by key (last duplicate wins).
    mutating func objects<T>(_ key: Key, at p: Int,
                                     _ body: (inout FieldReader, [String: Int]) throws -> T) throws -> [T] {
        seek(p)
        let kind = try scanner.peekKind()
        guard kind == .array else { throw typeError(key, "an array", kind) }
        scanner.i += 1
        var result: [T] = []
        scanner.skipWhitespace()
        if scanner.peek() == UInt8(ascii: "]") {
            scanner.i += 1
            return result
        }
        while true {
            let element = try scanner.peekKind()
            guard element == .object else {
                throw FieldError(.schema, "field '\(key.wireName)' must hold objects, found \(article(element))")
            }
            scanner.i += 1
            var members: [String: Int] = [:]
            scanner.skipWhitespace()
            if scanner.peek() == UInt8(ascii: "}") {
                scanner.i += 1
            } else {
                while true {
                    let name = scanner.text(try scanner.scanString())
                    try scanner.expect(UInt8(ascii: ":"), "':'")
                    scanner.skipWhitespace()
                    members[name] = scanner.i
                    try scanner.skipValue(depth: 2)
                    scanner.skipWhitespace()
                    if scanner.peek() == UInt8(ascii: ",") {
                        scanner.i += 1
                        continue
                    }
                    try scanner.expect(UInt8(ascii: "}"), "',' or '}'")
                    break
                }
            }
            let resume = scanner.i
            result.append(try body(&self, members))
            scanner.i = resume
            scanner.skipWhitespace()
            if scanner.peek() == UInt8(ascii: ",") {
                scanner.i += 1
                continue
            }
            try scanner.expect(UInt8(ascii: "]"), "',' or ']'")
            return result
        }
    }
}
