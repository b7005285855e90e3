import Dispatch
import Foundation
import Synchronization

/// Appends to a file and fsyncs in batches, as etcd's WAL does: writes
/// queue their bytes (under the store's lock, in revision order) and wait;
/// one flush on a thread of its own writes everything queued so far with a
/// single fsync and then wakes every write it covered. A write is
/// acknowledged only once its bytes are on disk, but concurrent writes
/// share one fsync instead of queueing behind one another's, and no event
/// loop thread waits for the disk.
final class GroupCommitWriter: Sendable {
    private struct State {
        var queued: [UInt8] = []
        /// Sequence numbers: of the last write queued, and of the last on disk.
        var lastQueued: UInt64 = 0
        var lastDurable: UInt64 = 0
        var waiters: [(sequence: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var flushing = false
        /// Once a flush has failed, nothing after it can be acknowledged.
        var failure: (any Error)?
    }

    private let state = Mutex(State())
    /// Used only on `queue`, one flush at a time.
    private let handle: FileHandle
    private let queue = DispatchQueue(label: "kcp-ingress.objects-log")

    init(handle: FileHandle) {
        self.handle = handle
    }

    /// Queues `bytes` for the next flush; returns the sequence number to wait for.
    func enqueue(_ bytes: [UInt8]) -> UInt64 {
        state.withLock { state in
            state.queued.append(contentsOf: bytes)
            state.lastQueued += 1
            return state.lastQueued
        }
    }

    /// Returns once the write `sequence` is on disk; throws if its flush failed.
    func waitUntilDurable(_ sequence: UInt64) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            enum Next { case resume, fail(any Error), wait, flush }
            let next: Next = state.withLock { state in
                if let failure = state.failure { return .fail(failure) }
                if state.lastDurable >= sequence { return .resume }
                state.waiters.append((sequence, continuation))
                guard !state.flushing else { return .wait }
                state.flushing = true
                return .flush
            }
            switch next {
            case .resume: continuation.resume()
            case .fail(let error): continuation.resume(throwing: error)
            case .wait: break
            case .flush: queue.async { self.flushUntilEmpty() }
            }
        }
    }

    /// Writes what is queued now, synchronously (at start-up, before any waiter).
    func flushNow() throws {
        try queue.sync {
            if let failure = flushOnce() { throw failure }
        }
    }

    /// Flushes batch after batch until nothing is queued: writes queued
    /// while one batch is on its way to disk form the next batch.
    private func flushUntilEmpty() {
        while true {
            _ = flushOnce()
            let done = state.withLock { state in
                guard state.queued.isEmpty || state.failure != nil else { return false }
                state.flushing = false
                return true
            }
            if done { return }
        }
    }

    /// One batch: write, fsync, wake the writes it covered. Returns the
    /// error if it failed (every waiting write then fails too).
    private func flushOnce() -> (any Error)? {
        let (bytes, upTo) = state.withLock { state in
            defer { state.queued = [] }
            return (state.queued, state.lastQueued)
        }
        var failure: (any Error)?
        if !bytes.isEmpty {
            do {
                try handle.write(contentsOf: bytes)
                try handle.synchronize()
            } catch {
                failure = error
            }
        }
        let woken = state.withLock { state in
            if let failure {
                state.failure = failure
                defer { state.waiters = [] }
                return state.waiters
            }
            state.lastDurable = upTo
            let ready = state.waiters.filter { $0.sequence <= upTo }
            state.waiters.removeAll { $0.sequence <= upTo }
            return ready
        }
        for waiter in woken {
            if let failure { waiter.continuation.resume(throwing: failure) } else { waiter.continuation.resume() }
        }
        return failure
    }
}
