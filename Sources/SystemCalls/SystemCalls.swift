// The one file that calls the C library. Every system call surgtop makes outside its C shims
// (CCurses, CZlib) and SwiftNIO is here, typed: descriptors (open, read, write-all, seek,
// close), files (status, access, directories), clocks, sleep, threads, termination signals,
// the environment, the locale and the process's exit; and the few pure C functions the decoder
// and the simulator use (`memchr`, libm). An interrupted call (EINTR) is retried in one place,
// `retrying`; a failure is a `SystemError` with its errno and the system's sentence.
#if canImport(Glibc)
import Glibc
#else
#error("surgtop builds and is tested on Linux (Glibc) only: see README.md, \"Set up and run\"")
#endif
import Synchronization

/// A failed system call: its errno and the system's sentence for it (`text`).
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The errno value.
    public var code: Int32

    public init(code: Int32) { self.code = code }

    /// What errno holds now, after a failed call (here, or in a C library that sets it: zlib's gzopen).
    public static func last() -> SystemError { SystemError(code: errno) }

    /// `strerror`: "No such file or directory".
    public var text: String { String(cString: strerror(code)) }
    public var description: String { text }

    // The errno values callers tell apart.
    public static let noSuchFile = SystemError(code: ENOENT)
    public static let fileExists = SystemError(code: EEXIST)
    public static let permissionDenied = SystemError(code: EACCES)
    public static let addressInUse = SystemError(code: EADDRINUSE)
    public static let addressNotAvailable = SystemError(code: EADDRNOTAVAIL)
    public static let connectionRefused = SystemError(code: ECONNREFUSED)
    public static let connectionReset = SystemError(code: ECONNRESET)
    public static let timedOut = SystemError(code: ETIMEDOUT)
    public static let hostUnreachable = SystemError(code: EHOSTUNREACH)
    public static let networkUnreachable = SystemError(code: ENETUNREACH)
    public static let brokenPipe = SystemError(code: EPIPE)
}

/// The system calls, as thin typed wrappers. Descriptors are plain `Int32`s, owned by the caller.
public enum SystemCalls {
    /// Runs `call` until it is not interrupted by a signal: the one place EINTR is handled.
    /// A negative result is a failure, thrown with its errno.
    private static func retrying<T: BinaryInteger>(_ call: () -> T) throws(SystemError) -> T {
        while true {
            let result = call()
            if result >= 0 { return result }
            if errno != EINTR { throw SystemError.last() }
        }
    }

    // MARK: - descriptors

    public static let standardInput: Int32 = 0
    public static let standardOutput: Int32 = 1
    public static let standardError: Int32 = 2

    /// How `open` opens a file. A file created is given mode 0644.
    public enum OpenMode: Sendable {
        case read
        /// Created when missing, emptied when present.
        case writeTruncating
        /// Created when missing, every write at its end (O_APPEND).
        case append
        /// Created, failing when anything is there already (O_EXCL): a probe that clobbers nothing.
        case createNew
    }

    /// Opens `path`; the descriptor is close-on-exec. `nonBlocking`: a FIFO opens at once
    /// (without a writer, for reading; without a reader, writing fails with ENXIO) and a full
    /// pipe makes a write fail instead of waiting.
    public static func open(_ path: String, _ mode: OpenMode, nonBlocking: Bool = false) throws(SystemError) -> Int32 {
        var flags = O_CLOEXEC | (nonBlocking ? O_NONBLOCK : 0)
        switch mode {
        case .read: flags |= O_RDONLY
        case .writeTruncating: flags |= O_WRONLY | O_CREAT | O_TRUNC
        case .append: flags |= O_WRONLY | O_CREAT | O_APPEND
        case .createNew: flags |= O_WRONLY | O_CREAT | O_EXCL
        }
        return try retrying { Glibc.open(path, flags, 0o644) }
    }

    /// Closes `fd`. Not retried: on Linux the descriptor is released even when close is
    /// interrupted, and a retry could close one another thread has just opened.
    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Reads up to `buffer.count` bytes; 0 at the end of the file.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        return try retrying { Glibc.read(fd, base, buffer.count) }
    }

    /// Reads up to `buffer.count` bytes at `offset`, without moving the file offset (pread).
    public static func read(_ fd: Int32, at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        return try retrying { pread(fd, base, buffer.count, off_t(offset)) }
    }

    /// Reads to the end of the file, or until more than `limit` bytes were read (the bytes then
    /// number more than `limit`, which is how a caller knows).
    public static func readToEnd(_ fd: Int32, limit: Int = .max) throws(SystemError) -> [UInt8] {
        var bytes: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 1)
        defer { chunk.deallocate() }
        while bytes.count <= limit {
            let n = try read(fd, into: chunk)
            if n == 0 { break }
            bytes += UnsafeRawBufferPointer(rebasing: chunk[0..<n])
        }
        return bytes
    }

    /// The whole file at `path` (see `readToEnd` for `limit`).
    public static func readFile(_ path: String, limit: Int = .max) throws(SystemError) -> [UInt8] {
        let fd = try open(path, .read)
        defer { close(fd) }
        return try readToEnd(fd, limit: limit)
    }

    /// Writes all of `bytes`, going on after short writes.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            offset += try retrying { Glibc.write(fd, base + offset, bytes.count - offset) }
        }
    }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(SystemError) {
        let failure: SystemError? = bytes.withUnsafeBytes { raw in
            do throws(SystemError) {
                try writeAll(fd, raw)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    public static func writeAll(_ fd: Int32, _ text: String) throws(SystemError) {
        try writeAll(fd, Array(text.utf8))
    }

    /// Writes a line to standard error (a newline added when missing), unbuffered; a failure
    /// is ignored, as there is nowhere left to say it.
    public static func writeStandardError(_ line: String) {
        try? writeAll(standardError, line.hasSuffix("\n") ? line : line + "\n")
    }

    /// Moves the file offset to `offset` from the start; false when it cannot (standard input,
    /// a pipe) or the file is shorter.
    public static func seek(_ fd: Int32, to offset: Int) -> Bool {
        lseek(fd, off_t(offset), SEEK_SET) == off_t(offset)
    }

    /// Moves the file offset to the end and returns it: the file's length; nil when it cannot seek.
    public static func seekToEnd(_ fd: Int32) -> Int? {
        let end = lseek(fd, 0, SEEK_END)
        return end < 0 ? nil : Int(end)
    }

    // MARK: - files

    /// What `status` tells of a file.
    public struct FileStatus: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case regular, directory
            /// A FIFO, a device, a socket.
            case other
        }

        public var kind: Kind
        /// Bytes, for a regular file.
        public var size: Int
        /// The device and inode: two paths name the same file when both are equal.
        public var device: UInt64
        public var inode: UInt64
        /// When its contents last changed, in nanoseconds since 1970 (a cache keyed by it notices a rewrite).
        public var modifiedNanoseconds: Int64
        /// When its inode last changed (ctime, which no one can set back), in nanoseconds since 1970.
        public var changedNanoseconds: Int64

        init(_ info: stat) {
            switch info.st_mode & S_IFMT {
            case S_IFREG: kind = .regular
            case S_IFDIR: kind = .directory
            default: kind = .other
            }
            size = Int(info.st_size)
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            modifiedNanoseconds = Int64(info.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(info.st_mtim.tv_nsec)
            changedNanoseconds = Int64(info.st_ctim.tv_sec) &* 1_000_000_000 &+ Int64(info.st_ctim.tv_nsec)
        }
    }

    /// The status of the file at `path`, following symbolic links (stat).
    public static func status(path: String) throws(SystemError) -> FileStatus {
        var info = stat()
        _ = try retrying { stat(path, &info) }
        return FileStatus(info)
    }

    /// The status of an open file (fstat).
    public static func status(fd: Int32) throws(SystemError) -> FileStatus {
        var info = stat()
        _ = try retrying { fstat(fd, &info) }
        return FileStatus(info)
    }

    /// Whether `path` names a regular file (which can be read twice, and seeks).
    public static func isRegularFile(_ path: String) -> Bool {
        (try? status(path: path))?.kind == .regular
    }

    /// Whether anything exists at `path`.
    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Throws unless this process may read the file at `path`.
    public static func checkReadable(_ path: String) throws(SystemError) {
        _ = try retrying { access(path, R_OK) }
    }

    /// Removes the file at `path` (unlink).
    public static func removeFile(_ path: String) throws(SystemError) {
        _ = try retrying { unlink(path) }
    }

    /// Creates the directory `path` (throws `.fileExists` when anything is there already).
    public static func makeDirectory(_ path: String, mode: UInt32 = 0o700) throws(SystemError) {
        _ = try retrying { mkdir(path, mode_t(mode)) }
    }

    /// The names in the directory at `path`, without `.` and `..`, in the order the system gives.
    public static func directoryEntries(_ path: String) throws(SystemError) -> [String] {
        guard let directory = opendir(path) else { throw SystemError.last() }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    // MARK: - time

    /// Seconds of a monotonic clock (CLOCK_MONOTONIC): for durations, never for dates.
    public static func monotonicSeconds() -> Double {
        seconds(of: CLOCK_MONOTONIC)
    }

    /// Wall-clock Unix seconds (CLOCK_REALTIME).
    public static func wallSeconds() -> Double {
        seconds(of: CLOCK_REALTIME)
    }

    private static func seconds(of clock: clockid_t) -> Double {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Sleeps about `seconds` (a signal may end it early, which the polling loops that call it allow).
    public static func sleep(seconds: Double) {
        usleep(useconds_t(max(0, min(seconds, 3600)) * 1e6))
    }

    /// A moment in the calendar, to the second.
    public struct CalendarTime: Sendable, Equatable {
        public var year, month, day, hour, minute, second: Int
    }

    /// Unix seconds (rounded down) in UTC (gmtime_r).
    public static func utcCalendar(_ unixSeconds: Double) -> CalendarTime {
        var seconds = time_t(unixSeconds.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return CalendarTime(parts)
    }

    /// Now, in the local time zone (localtime_r).
    public static func localCalendarNow() -> CalendarTime {
        var seconds = time(nil)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return CalendarTime(parts)
    }

    // MARK: - the process

    /// Whether `fd` is a terminal (isatty).
    public static func isTerminal(_ fd: Int32) -> Bool {
        isatty(fd) == 1
    }

    /// Sets the C library's locale from the environment (LANG, LC_*) and says whether its
    /// character set is UTF-8.
    public static func localeIsUTF8() -> Bool {
        setlocale(LC_ALL, "")
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }

    /// The environment variables (the first of a name given twice).
    public static func environment() -> [String: String] {
        var out: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let pair = String(cString: pointer)
            if let equals = pair.firstIndex(of: "="), out[String(pair[..<equals])] == nil {
                out[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            entry += 1
        }
        return out
    }

    /// The size of a memory page, in bytes.
    public static var pageSize: Int { Int(sysconf(Int32(_SC_PAGESIZE))) }

    /// The processors online now, at least 1 (how many threads a parallel pass may keep busy).
    public static var onlineProcessors: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Ends the process with `code`; the C library flushes standard output (`print`'s buffer) first.
    public static func exit(_ code: Int32) -> Never {
        Glibc.exit(code)
    }

    /// Runs `body` on a thread of its own, detached: nothing waits for it to end.
    ///
    /// Returns false, with `body` never run, when the system refuses a thread (no memory for its
    /// stack, too many threads): a caller waiting for the thread must not count it.
    @discardableResult
    public static func startDetachedThread(_ body: @escaping @Sendable () -> Void) -> Bool {
        final class Work {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let box = Unmanaged.passRetained(Work(body))
        var thread = pthread_t()
        guard pthread_create(&thread, nil, { raw in
            let work = Unmanaged<Work>.fromOpaque(raw!).takeRetainedValue()
            work.body()
            return nil
        }, box.toOpaque()) == 0 else {
            box.release()
            return false
        }
        pthread_detach(thread)
        return true
    }

    /// Lowers the calling thread's scheduling priority (nice 10): background work such as the
    /// replay's marker pass then yields the cores to the console whenever both want them.
    /// Best effort: a refusal leaves the priority as it was. (On Linux the nice value belongs
    /// to each thread, and `who` 0 names the calling one.)
    public static func lowerThreadPriority() {
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
    }

    /// Gives the memory freed since the last call back to the system. glibc keeps freed heap
    /// pages, per thread arena, for reuse: after a replay's catch-up (tens of MB of decoded
    /// frames allocated by the source's thread, freed by the console's) they would stay resident
    /// while the marker pass's threads take pages of their own.
    public static func releaseFreedMemory() {
        _ = releaseFreedPages?(0)
    }

    /// glibc's `malloc_trim` (malloc.h, which the Glibc module leaves out), looked up once.
    private static let releaseFreedPages: (@convention(c) (Int) -> Int32)? = {
        guard let symbol = dlsym(nil, "malloc_trim") else { return nil }  // nil: RTLD_DEFAULT
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
    }()

    // MARK: - termination signals

    /// The signal (SIGINT, SIGTERM, SIGHUP) that asked the process to end; 0 while none has.
    private static let terminationSignal = Atomic<Int32>(0)

    /// Routes SIGINT, SIGTERM and SIGHUP to `terminationWasRequested` instead of killing the
    /// process, so the loops that poll it can leave cleanly.
    public static func installTerminationHandlers() {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig) { number in SystemCalls.terminationSignal.store(number, ordering: .relaxed) }
            sigaddset(&unblock, sig)
        }
        // A blocked signal mask is inherited across exec: started by a parent that blocks them
        // (a test runner's thread, some supervisors), surgtop would never see its SIGTERM.
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// The signal that asked the process to end (SIGINT, SIGTERM or SIGHUP); 0 while none has.
    public static var terminationSignalNumber: Int32 {
        terminationSignal.load(ordering: .relaxed)
    }

    /// Whether SIGINT, SIGTERM or SIGHUP arrived since `installTerminationHandlers()`.
    public static var terminationWasRequested: Bool {
        terminationSignal.load(ordering: .relaxed) != 0
    }

    // MARK: - pure C functions

    /// The offset of the first `byte` among `count` bytes at `base`, nil when there is none:
    /// `memchr`, the fastest scan the platform has.
    @inlinable
    public static func firstOffset(of byte: UInt8, in base: UnsafeRawPointer, count: Int) -> Int? {
        guard let hit = memchr(base, Int32(byte), count) else { return nil }
        return UnsafeRawPointer(hit) - base
    }
}

extension SystemCalls.CalendarTime {
    init(_ parts: tm) {
        self.init(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
                  hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec))
    }
}

/// The C math library (libm), for the simulator.
public enum Math {
    @inlinable public static func sin(_ x: Double) -> Double { Glibc.sin(x) }
    @inlinable public static func cos(_ x: Double) -> Double { Glibc.cos(x) }
    @inlinable public static func exp(_ x: Double) -> Double { Glibc.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Glibc.log(x) }
    @inlinable public static func log10(_ x: Double) -> Double { Glibc.log10(x) }
    @inlinable public static func pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
}

/// State shared by several threads with a condition on it: a thread waits, under the lock, until
/// the state lets it go on, and every change wakes every waiter, so none sleeps through a change
/// another waiter was woken for (as one flag signalled twice, coalesced, would let happen).
public final class GuardedState<State: Sendable>: @unchecked Sendable {
    // pthread objects must not move: allocated once; `state` is only touched under `mutex`.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var state: State

    public init(_ state: State) {
        self.state = state
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Reads or changes the state; a change (`changes` true) wakes every waiter.
    public func withLock<R>(changes: Bool = true, _ body: (inout State) -> R) -> R {
        pthread_mutex_lock(mutex)
        defer {
            if changes { pthread_cond_broadcast(condition) }
            pthread_mutex_unlock(mutex)
        }
        return body(&state)
    }

    /// Runs `body` under the lock until it returns a value, sleeping between tries until another
    /// thread changes the state. Whatever `body` changes wakes the other waiters.
    public func waitFor<R>(_ body: (inout State) -> R?) -> R {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        while true {
            if let result = body(&state) { return result }
            pthread_cond_wait(condition, mutex)
        }
    }
}

/// A thread's alarm clock: `wait(seconds:)` sleeps until `signal()` or the timeout, so an idle
/// worker (the recorder) neither polls nor misses a signal sent just before it waits.
public final class Wakeup: @unchecked Sendable {
    // pthread objects must not move: allocated once, guarded by `mutex` itself.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var signalled = false

    public init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)  // immune to wall-clock changes
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    public func signal() {
        pthread_mutex_lock(mutex)
        signalled = true
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Returns at a signal (sent before or during the wait) or after about `seconds`.
    public func wait(seconds: Double) {
        // A NaN would reach Int(...) below: waited as no time at all.
        let deadline = SystemCalls.monotonicSeconds() + (seconds.isFinite ? max(0, min(seconds, 3600)) : 0)
        var ts = timespec(tv_sec: Int(deadline), tv_nsec: Int((deadline - deadline.rounded(.down)) * 1e9))
        pthread_mutex_lock(mutex)
        while !signalled {
            if pthread_cond_timedwait(condition, mutex, &ts) == ETIMEDOUT { break }
        }
        signalled = false
        pthread_mutex_unlock(mutex)
    }
}
