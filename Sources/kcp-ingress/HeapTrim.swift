#if canImport(Glibc)
    import CMalloc
    import Logging
    import ServiceLifecycle

    /// Hands memory the process freed back to the system. glibc's malloc keeps
    /// freed pages for reuse; after start-up (thousands of objects parsed,
    /// packed into the informers' stores and translated) most of the peak is
    /// free but still resident, and a replica would report twice what it uses.
    /// Every `interval`, when the heap's free bytes grew by more than
    /// `threshold` since the last trim, the heap is trimmed (`malloc_trim`).
    /// A trim leaves its free chunks on malloc's lists (it only gives their
    /// pages back), so a fragmented heap stays above any fixed threshold: the
    /// growth is what says there is something new to give back. Plain C calls
    /// on no pointer of ours: nothing unsafe crosses here.
    struct HeapTrim: ServiceLifecycle.Service {
        var interval: Duration = .seconds(30)
        var threshold = 8 << 20
        let logger: Logger

        func run() async {
            await cancelWhenGracefulShutdown {
                var freeAfterLastTrim = 0
                while !Task.isCancelled {
                    do { try await Task.sleep(for: interval) } catch { return }
                    freeAfterLastTrim = trim(ifFreeGrewBeyond: freeAfterLastTrim)
                }
            }
        }

        /// Trims when more than `threshold` bytes are free beyond `baseline`;
        /// returns the free bytes to compare the next time with.
        func trim(ifFreeGrewBeyond baseline: Int) -> Int {
            let free = Int(mallinfo2().fordblks)
            guard free > baseline + threshold else { return min(free, baseline) }
            malloc_trim(0)
            logger.debug("heap trimmed", metadata: ["freeBytes": "\(free)"])
            return Int(mallinfo2().fordblks)
        }
    }
#endif
