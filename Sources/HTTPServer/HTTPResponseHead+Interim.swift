import NIOHTTP1

extension HTTPResponseHead {
    /// A 1xx answer other than 101, such as `100 Continue`: the final
    /// response to the same request follows it.
    var isInterim: Bool { (100..<200).contains(status.code) && status.code != 101 }
}
