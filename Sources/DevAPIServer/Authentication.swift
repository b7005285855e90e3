import Foundation

/// Who a bearer token belongs to, handed to admission as `userInfo`.
public struct APIUser: Hashable, Sendable {
    public var name: String
    public var groups: [String]

    public init(name: String, groups: [String]) {
        self.name = name
        self.groups = groups
    }

    public static let admin = APIUser(name: "admin", groups: ["system:masters", "system:authenticated"])
    public static let controller = APIUser(
        name: "system:serviceaccount:kcp-ingress:kcp-ingress",
        groups: ["system:serviceaccounts", "system:serviceaccounts:kcp-ingress", "system:authenticated"])
}

/// Bearer tokens and the users they name.
public struct TokenAuthenticator: Sendable {
    public let tokens: [String: APIUser]

    public init(tokens: [String: APIUser]) {
        self.tokens = tokens
    }

    /// A new random token for each of the standard users.
    public static func generated() -> TokenAuthenticator {
        TokenAuthenticator(tokens: [newToken(): .admin, newToken(): .controller])
    }

    public func token(for user: APIUser) -> String? {
        tokens.first { $0.value == user }?.key
    }

    func user(authorization: String?) -> APIUser? {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return nil }
        return tokens[String(authorization.dropFirst("Bearer ".count))]
    }

    static func newToken() -> String {
        (0..<32).map { _ in String("abcdefghijklmnopqrstuvwxyz0123456789".randomElement()!) }.joined()
    }
}
