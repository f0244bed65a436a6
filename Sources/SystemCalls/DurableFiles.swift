import Glibc

/// Files written under a temporary name and renamed into place (`surgtop convert`): created safely, made
/// durable before they replace anything, and inputs waited for without blocking a signal's effect.
extension SystemCalls {
    /// Creates a new file at `path` for writing, failing when anything is there already, a symbolic link
    /// included (O_EXCL | O_NOFOLLOW): nobody can make it write through a link planted under its name.
    /// `permissions` (a replaced file's) are set exactly; nil gives 0644 less the umask.
    public static func createExclusive(_ path: String, permissions: UInt32? = nil) throws(SystemError) -> Int32 {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError.last() }
        if let permissions, fchmod(fd, mode_t(permissions & 0o7777)) != 0 {
            let failure = SystemError.last()
            close(fd)
            _ = unlink(path)
            throw failure
        }
        return fd
    }

    /// The permission bits of the file at `path` (following links); nil when there is none.
    public static func permissions(path: String) -> UInt32? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt32(info.st_mode) & 0o7777
    }

    /// Flushes the file at `path` to the disk (fsync through a descriptor of its own, so a file another
    /// part wrote and closed can be made durable before it is renamed over an older one).
    public static func synchronizeFile(path: String) throws(SystemError) {
        let fd = Glibc.open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError.last() }
        defer { close(fd) }
        while fsync(fd) != 0 {
            if errno != EINTR { throw SystemError.last() }
        }
    }

    /// Flushes the directory at `path` (fsync), so that a rename into it survives a power cut.
    public static func synchronizeDirectory(path: String) throws(SystemError) {
        let fd = Glibc.open(path.isEmpty ? "." : path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError.last() }
        defer { close(fd) }
        while fsync(fd) != 0 {
            if errno != EINTR { throw SystemError.last() }
        }
    }

    /// Waits up to `seconds` for `fd` to have something to read (data, its end, or an error a read will
    /// report); false when the time ran out or a signal arrived. A loop reading a pipe calls it between
    /// reads to notice a termination request while the writer is silent: poll is never restarted
    /// after a signal, whatever the handler's flags, and the timeout covers a signal taken by another thread.
    public static func waitReadable(_ fd: Int32, seconds: Double) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ms = seconds.isFinite ? Int32(max(0, min(seconds, 3600)) * 1000) : 0
        return poll(&entry, 1, ms) > 0
    }
}
