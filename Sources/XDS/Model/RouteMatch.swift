/// What a request must look like for a route to take it, in Envoy's terms:
/// a path condition and any number of header and query parameter
/// conditions, all of which must hold.
public struct RouteMatch: Hashable, Sendable {
    public var path: PathMatch
    /// Names lower-case; pseudo-headers such as `:method` and `:authority` included.
    public var headers: [HeaderMatch]
    public var queryParameters: [QueryParameterMatch]

    public init(path: PathMatch, headers: [HeaderMatch] = [], queryParameters: [QueryParameterMatch] = []) {
        self.path = path
        self.headers = headers
        self.queryParameters = queryParameters
    }
}

/// Envoy's path specifiers (the query string is never part of the path).
public enum PathMatch: Hashable, Sendable {
    /// A raw string prefix: `/foo` takes `/foo`, `/foo/bar` and `/foobar`.
    case prefix(String)
    /// Envoy's `path_separated_prefix`: `/foo` takes `/foo` and `/foo/...`
    /// but not `/foobar`. Never `/` and never ending in `/` (Envoy refuses both).
    case pathSeparatedPrefix(String)
    /// The whole path, exactly.
    case exact(String)
    /// An RE2 expression that must match the whole path.
    case regex(String)
}

/// How a header or query parameter value must read.
public enum StringMatch: Hashable, Sendable {
    case exact(String)
    /// Exact but case-insensitive (Envoy's `ignore_case`), as host names are compared.
    case exactIgnoringCase(String)
    /// An RE2 expression that must match the whole value.
    case regex(String)

    var isExact: Bool {
        switch self {
        case .exact, .exactIgnoringCase: true
        case .regex: false
        }
    }
}

public struct HeaderMatch: Hashable, Sendable {
    public var name: String
    public var value: StringMatch

    public init(name: String, value: StringMatch) {
        self.name = name
        self.value = value
    }
}

public struct QueryParameterMatch: Hashable, Sendable {
    public var name: String
    public var value: StringMatch

    public init(name: String, value: StringMatch) {
        self.name = name
        self.value = value
    }
}
