/// Why bytes are not acceptable JSON, and where.
public struct JSONParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Zero-based byte offset of the problem in the input.
    public var offset: Int
    public var message: String

    public init(offset: Int, _ message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}

/// Bounds that keep hostile input from exhausting the stack or memory.
public struct JSONLimits: Hashable, Sendable {
    /// Deepest nesting of arrays and objects.
    public var maxDepth = 512
    /// Largest input accepted.
    public var maxBytes = 32 * 1024 * 1024

    public init(maxDepth: Int = 512, maxBytes: Int = 32 * 1024 * 1024) {
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
    }
}
