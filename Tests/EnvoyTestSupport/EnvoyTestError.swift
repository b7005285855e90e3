/// Why the Envoy harness could not do what a test asked, with the end of
/// Envoy's log when there is one: a test failing on Envoy is read from it.
public struct EnvoyTestError: Error, CustomStringConvertible {
    public var message: String
    /// The last lines of Envoy's log, if an Envoy was involved.
    public var log: String?

    public init(_ message: String, log: String? = nil) {
        self.message = message
        self.log = log
    }

    public var description: String {
        guard let log, !log.isEmpty else { return message }
        return "\(message)\n--- end of Envoy's log ---\n\(log)"
    }
}
