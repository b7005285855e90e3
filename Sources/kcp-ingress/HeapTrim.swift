import CMalloc
import Logging
import ServiceLifecycle

/// Hands memory the process freed back to the system. glibc's malloc keeps
/// freed pages for reuse; after start-up (thousands of objects parsed,
/// packed into the informers' stores and translated) most of the peak is
/// free but still resident, and a replica would report twice what it uses.
/// Every `interval`, when more than `threshold` bytes are free, the heap is
/// trimmed (`malloc_trim`). Plain C calls on no pointer of ours: nothing
/// unsafe crosses here.
struct HeapTrim: ServiceLifecycle.Service {
    var interval: Duration = .seconds(30)
    var threshold = 8 << 20
    let logger: Logger

    func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                trimIfWorthIt()
            }
        }
    }

    func trimIfWorthIt() {
        let free = Int(mallinfo2().fordblks)
        guard free > threshold else { return }
        malloc_trim(0)
        logger.debug("heap trimmed", metadata: ["freeBytes": "\(free)"])
    }
}
