/// A run of numbers from one frame — an arm's joint positions, a quaternion, a twist —
/// indexed from zero. The runs of one decoded arm frame share a single buffer, so a frame
/// costs one allocation however many arrays it carries.
public struct Readings: RandomAccessCollection, Sendable, Hashable, ExpressibleByArrayLiteral,
    CustomStringConvertible {
    private let storage: ReadingsStorage
    private let offset: Int32
    private let length: Int32

    public init(_ values: [Double]) {
        storage = ReadingsStorage.make(values)
        offset = 0
        length = Int32(values.count)
    }

    public init(arrayLiteral elements: Double...) {
        self.init(elements)
    }

    /// A view of `count` values of `storage` from `offset` (shared, not copied).
    init(storage: ReadingsStorage, offset: Int, count: Int) {
        self.storage = storage
        self.offset = Int32(offset)
        self.length = Int32(count)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { Int(length) }
    public var count: Int { Int(length) }

    public subscript(position: Int) -> Double {
        precondition(position >= 0 && position < Int(length), "index out of range")
        return storage[Int(offset) + position]
    }

    public var array: [Double] { Array(self) }

    public static func == (a: Readings, b: Readings) -> Bool {
        a.elementsEqual(b)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for v in self { hasher.combine(v) }
    }

    public var description: String { array.description }
}

/// The numbers of one frame, in one allocation, written once when the frame is made and
/// never again: that is what makes sharing it between threads safe.
struct ReadingsStorage: @unchecked Sendable {
    let buffer: NumberBuffer

    /// Storage for `count` numbers, written by `fill` (which must initialize all of them).
    @inline(__always)
    static func make(count: Int, _ fill: (UnsafeMutablePointer<Double>) -> Void) -> ReadingsStorage {
        let buffer = unsafeDowncast(NumberBuffer.create(minimumCapacity: count) { _ in count }, to: NumberBuffer.self)
        buffer.withUnsafeMutablePointerToElements { fill($0) }
        return ReadingsStorage(buffer: buffer)
    }

    static func make(_ values: [Double]) -> ReadingsStorage {
        make(count: values.count) { p in
            values.withUnsafeBufferPointer { if let b = $0.baseAddress { p.initialize(from: b, count: values.count) } }
        }
    }

    @inline(__always) subscript(index: Int) -> Double {
        buffer.withUnsafeMutablePointerToElements { $0[index] }
    }
}

/// A class of its own rather than `[Double]`: its metadata is made once, so allocating one
/// per decoded frame costs a single malloc.
final class NumberBuffer: ManagedBuffer<Int, Double> {
    deinit {
        _ = withUnsafeMutablePointers { header, elements in elements.deinitialize(count: header.pointee) }
    }
}
