import Telemetry

/// A row of a JIGSAWS kinematics file (Gao et al. 2014, the dataset's readme): 76 numbers at 30 Hz,
/// 19 for each of MTML, MTMR, PSM1 ("slave left") and PSM2 ("slave right"), in that order: tip position
/// x, y, z (m), rotation matrix R11…R33 row by row, linear velocity (m/s), rotational velocity (rad/s),
/// gripper angle (rad). README "JIGSAWS" says what becomes what.
enum JIGSAWSKinematics {
    static let arms = [
        ArmDescriptor(id: "MTML", kind: .mtm), ArmDescriptor(id: "MTMR", kind: .mtm),
        ArmDescriptor(id: "PSM1", kind: .psm), ArmDescriptor(id: "PSM2", kind: .psm),
    ]
    static let columnsPerArm = 19
    static let columns = 76
    static let rate = 30.0
    /// A line longer than this holds no row of 76 numbers: skipped without being kept in memory.
    static let maxRowBytes = 65_536
    /// A token longer than this is no number the da Vinci API printed (they have about 10 digits):
    /// rejected before parsing, so a 10⁶-digit token costs one look at its length.
    static let maxTokenBytes = 64
    /// How far RᵀR may stray from the identity (any entry), or det R from 1, for R to be a rotation:
    /// far above the rounding of printed digits, far below any real shear or scale.
    static let rotationTolerance = 0.01

    /// A path in a message: quoted, sanitised, whole (it comes from the command line, not the wire).
    static func named(_ path: String) -> String { "'" + WireText.sanitize(path) + "'" }

    /// The session time of frame `k` (frames and rows count from 1).
    static func time(ofFrame k: Int) -> Double { Double(k - 1) / rate }

    /// Why a line is no row.
    enum Problem: Error, Equatable {
        case columns(Int)
        case notANumber(column: Int, token: String)
        case notFinite(column: Int, token: String)
        case tooLong
        case empty

        var description: String {
            switch self {
            case .columns(let n): "\(n) numbers, not \(JIGSAWSKinematics.columns)"
            case .notANumber(let column, let token): "column \(column), \(token), is not a number"
            case .notFinite(let column, let token): "column \(column), \(token), is not a finite number"
            case .tooLong: "longer than \(JIGSAWSKinematics.maxRowBytes) bytes"
            case .empty: "empty"
            }
        }
    }

    /// The 76 numbers of `line` (runs of spaces and tabs between them; a CR is a space), or why not.
    static func parse(_ line: UnsafeRawBufferPointer) -> Result<[Double], Problem> {
        var tokens: [Range<Int>] = []
        tokens.reserveCapacity(columns)
        var count = 0
        var start: Int?
        for i in 0...line.count {
            let space = i == line.count || line[i] == 0x20 || line[i] == 0x09 || line[i] == 0x0D
            if space, let s = start {
                count += 1
                if tokens.count < columns { tokens.append(s..<i) }
                start = nil
            } else if !space, start == nil {
                start = i
            }
        }
        guard count == columns else { return .failure(count == 0 ? .empty : .columns(count)) }
        var values = [Double]()
        values.reserveCapacity(columns)
        for (k, range) in tokens.enumerated() {
            let token = UnsafeRawBufferPointer(rebasing: line[range])
            switch number(token) {
            case .some(let v) where v.isFinite: values.append(v)
            case .some: return .failure(.notFinite(column: k + 1, token: shown(token)))
            case .none: return .failure(.notANumber(column: k + 1, token: shown(token)))
            }
        }
        return .success(values)
    }

    /// A decimal number (digits, sign, point, exponent), its length bounded; infinite when it
    /// overflows a double, or when it is `nan` or `inf` spelt out. Nil for anything else.
    static func number(_ token: UnsafeRawBufferPointer) -> Double? {
        guard token.count <= maxTokenBytes else { return nil }
        let text = String(decoding: token, as: UTF8.self)
        let decimal = token.allSatisfy { (0x30...0x39).contains($0) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E || $0 == 0x45 || $0 == 0x65 }
        guard let value = Double(text) else { return nil }
        // Swift also reads hexadecimal floats and `nan`; only non-finite spellings pass, to be named so.
        if !decimal { return value.isFinite ? nil : value }
        return value
    }

    /// A token quoted for a note, its first bytes only. A byte that is not printable ASCII is shown as
    /// `\xNN` (and so are `\` and `'`): a control, a no-break space or a typographic minus (`−0.5`)
    /// would otherwise show as nothing or as what looks like a number.
    static func shown(_ token: UnsafeRawBufferPointer) -> String {
        var text = ""
        for byte in token {
            guard text.utf8.count < 80 else { return "'" + text + "…'" }
            if (0x21...0x7E).contains(byte), byte != 0x5C, byte != 0x27 {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "\\x" + String(hexDigits[Int(byte >> 4)]) + String(hexDigits[Int(byte & 15)])
            }
        }
        return "'" + text + "'"
    }

    private static let hexDigits = Array("0123456789ABCDEF")

    /// One arm's frame from its 19 columns of `row`: tip, orientation (left out when the matrix is
    /// no rotation), twist (linear then rotational velocity) and jaw (the gripper angle).
    static func armSample(_ arm: Int, of row: [Double]) -> (sample: ArmSample, isRotation: Bool) {
        let c = arm * columnsPerArm
        let q = quaternion(Array(row[(c + 3)..<(c + 12)]))
        let sample = ArmSample(arm: arms[arm].id, tip: Array(row[c..<(c + 3)]), orientation: q,
                               twist: Array(row[(c + 12)..<(c + 18)]), jaw: row[c + 18])
        return (sample, q != nil)
    }

    /// The unit quaternion (x, y, z, w) of the row-major rotation matrix `m`, w ≥ 0; nil when `m` is
    /// no rotation (RᵀR or det R off by more than `rotationTolerance`: a scale, shear, reflection or
    /// zeros), which would otherwise give a made-up orientation (the zero matrix reads as identity).
    ///
    /// Shepperd's method (1978): of 4w², 4x², 4y², 4z² (from the trace and the diagonal) it takes the
    /// largest, so the square root and the division are well away from zero: the naive
    /// w = √(1 + trace)/2 loses every digit at 180° turns. The result is normalised, so a matrix
    /// rounded to printed digits gives a unit quaternion within the rounding of its rotation.
    static func quaternion(_ m: [Double]) -> [Double]? {
        guard m.count == 9, isRotation(m) else { return nil }
        let (m00, m01, m02, m10, m11, m12, m20, m21, m22) = (m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8])
        let trace = m00 + m11 + m22
        var q: (x: Double, y: Double, z: Double, w: Double)
        if trace >= m00, trace >= m11, trace >= m22 {
            let s = (1 + trace).squareRoot() * 2  // 4w
            q = ((m21 - m12) / s, (m02 - m20) / s, (m10 - m01) / s, s / 4)
        } else if m00 >= m11, m00 >= m22 {
            let s = (1 + m00 - m11 - m22).squareRoot() * 2  // 4x
            q = (s / 4, (m01 + m10) / s, (m02 + m20) / s, (m21 - m12) / s)
        } else if m11 >= m22 {
            let s = (1 + m11 - m00 - m22).squareRoot() * 2  // 4y
            q = ((m01 + m10) / s, s / 4, (m12 + m21) / s, (m02 - m20) / s)
        } else {
            let s = (1 + m22 - m00 - m11).squareRoot() * 2  // 4z
            q = ((m02 + m20) / s, (m12 + m21) / s, s / 4, (m10 - m01) / s)
        }
        let norm = (q.x * q.x + q.y * q.y + q.z * q.z + q.w * q.w).squareRoot()
        guard norm > 0, norm.isFinite else { return nil }
        // q and −q are the same rotation: w ≥ 0 makes the quaternion of one matrix one value.
        let sign = q.w < 0 ? -1.0 : 1.0
        return [q.x, q.y, q.z, q.w].map { sign * $0 / norm }
    }

    /// Whether the row-major `m` is a rotation within `rotationTolerance`: orthonormal, det +1.
    static func isRotation(_ m: [Double]) -> Bool {
        for i in 0..<3 {
            for j in i..<3 {
                let dot = m[i] * m[j] + m[3 + i] * m[3 + j] + m[6 + i] * m[6 + j]  // column i · column j
                guard abs(dot - (i == j ? 1 : 0)) <= rotationTolerance else { return false }
            }
        }
        let det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6])
            + m[2] * (m[3] * m[7] - m[4] * m[6])
        return abs(det - 1) <= rotationTolerance
    }
}
