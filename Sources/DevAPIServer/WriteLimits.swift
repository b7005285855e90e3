import KubeAPI

/// The sizes past which the server refuses a request instead of doing the
/// work, so that no single request holds an event loop (or, for long, the
/// store's lock) and no object grows beyond what a client can read back.
enum WriteLimits {
    /// kube-apiserver's default `MaxRequestBodyBytes`: larger bodies get 413.
    static let maxRequestBodyBytes = 3 * 1024 * 1024
    /// etcd's default `--max-request-bytes` (1.5 MiB): kube-apiserver cannot
    /// store a larger object and answers 413.
    static let maxObjectBytes = 1_572_864
    /// The bounds on a JSON patch's work: kube-apiserver's operation count,
    /// and copies of at most the request body limit in all.
    static let patch = JSONPatchLimits(maxOperations: 10_000, maxCopiedBytes: maxRequestBodyBytes)

    /// Refuses a request body over the limit before it is parsed.
    static func checkBody(bytes: Int) throws(APIError) {
        guard bytes <= maxRequestBodyBytes else {
            throw APIError.requestEntityTooLarge("limit is \(maxRequestBodyBytes)")
        }
    }

    /// Refuses to store an object whose JSON is over the limit; counts at
    /// most just past the limit, however large the object would print.
    static func checkObject(_ object: JSON) throws(APIError) {
        guard object.encodedSize(upTo: maxObjectBytes) <= maxObjectBytes else {
            throw APIError.requestEntityTooLarge(
                "the object is larger than the \(maxObjectBytes) bytes the store accepts (etcd's request limit)")
        }
    }
}
