import NIOCore

/// Plaintext written but not yet encrypted, with the writers' promises.
///
/// Flushed writes are coalesced into one buffer so that a response written
/// as head, body and end becomes one TLS record rather than three.
struct PendingWrites {
    private var buffers: [ByteBuffer] = []
    private var promises: [EventLoopPromise<Void>] = []

    var isEmpty: Bool { buffers.isEmpty && promises.isEmpty }

    mutating func append(_ buffer: ByteBuffer, promise: EventLoopPromise<Void>?) {
        if buffer.readableBytes > 0 { buffers.append(buffer) }
        if let promise { promises.append(promise) }
    }

    /// All pending plaintext as one buffer, and one promise that completes
    /// every writer's promise when the ciphertext has been written.
    mutating func take(
        allocator: ByteBufferAllocator,
        eventLoop: any EventLoop
    ) -> (ByteBuffer?, EventLoopPromise<Void>?) {
        defer {
            buffers.removeAll(keepingCapacity: true)
            promises.removeAll(keepingCapacity: true)
        }
        let promise: EventLoopPromise<Void>?
        switch promises.count {
        case 0: promise = nil
        case 1: promise = promises[0]
        default:
            let combined = eventLoop.makePromise(of: Void.self)
            for waiting in promises { combined.futureResult.cascade(to: waiting) }
            promise = combined
        }
        switch buffers.count {
        case 0:
            promise?.succeed()
            return (nil, nil)
        case 1:
            return (buffers[0], promise)
        default:
            var joined = allocator.buffer(capacity: buffers.reduce(0) { $0 + $1.readableBytes })
            for var buffer in buffers { joined.writeBuffer(&buffer) }
            return (joined, promise)
        }
    }

    mutating func failAll(_ error: any Error) {
        let waiting = promises
        buffers.removeAll()
        promises.removeAll()
        for promise in waiting { promise.fail(error) }
    }
}
