import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// Reports changes in a few directories through Linux inotify.
///
/// Only "something changed" is reported: callers re-read what they care
/// about, which is both simpler and immune to missed or merged events. The
/// directories, not the files, are watched, because a Kubernetes Secret
/// volume updates by atomically renaming its `..data` symlink: the files'
/// own inodes never change.
final class FileWatcher: @unchecked Sendable {
    // @unchecked Sendable: every property is immutable and a dispatch
    // source may be cancelled from any thread.
    private let source: any DispatchSourceRead
    let changes: AsyncStream<Void>

    /// Returns nil when inotify is unavailable; callers then rely on polling.
    init?(directories: Set<String>) {
        let descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else { return nil }
        let mask = UInt32(
            IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_ATTRIB)
        var watching = 0
        for directory in directories where inotify_add_watch(descriptor, directory, mask) >= 0 {
            watching += 1
        }
        guard watching > 0 else {
            close(descriptor)
            return nil
        }
        let (changes, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let source = DispatchSource.makeReadSource(
            fileDescriptor: descriptor, queue: DispatchQueue(label: "kcp-ingress.file-watcher"))
        source.setEventHandler {
            var scratch = [UInt8](repeating: 0, count: 4096)
            while scratch.withUnsafeMutableBytes({ read(descriptor, $0.baseAddress, $0.count) }) > 0 {}
            continuation.yield()
        }
        source.setCancelHandler {
            close(descriptor)
            continuation.finish()
        }
        source.resume()
        self.source = source
        self.changes = changes
    }

    func stop() { source.cancel() }

    deinit { source.cancel() }
}
