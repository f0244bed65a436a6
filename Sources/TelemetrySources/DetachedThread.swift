#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a blocking loop (a paced file reader, the real-time simulator) on a thread of its own,
/// so that it never holds up the console's loop, and the console never holds it up.
enum DetachedThread {
    private final class Work {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    static func spawn(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Work(body))
        var thread = pthread_t()
        pthread_create(&thread, nil, { raw in
            let work = Unmanaged<Work>.fromOpaque(raw!).takeRetainedValue()
            work.body()
            return nil
        }, box.toOpaque())
        pthread_detach(thread)
    }
}
