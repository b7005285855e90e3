import Foundation

/// Who a bearer token belongs to, handed to admission as `userInfo`.
public struct APIUser: Hashable, Sendable {
    public var name: String
    public var groups: [String]
    /// The static token file's third field; sent to webhooks as `userInfo.uid`.
    public var uid: String?
    /// Sent to webhooks as `userInfo.extra`.
    public var extra: [String: [String]]

    public init(name: String, groups: [String], uid: String? = nil, extra: [String: [String]] = [:]) {
        self.name = name
        self.groups = groups
        self.uid = uid
        self.extra = extra
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

    /// Reads kube-apiserver's static token file format, one user a line:
    /// `token,user,uid[,"group1,group2"]`; blank lines and `#` comments skipped.
    public init(staticTokenFile text: String) throws(TokenFileError) {
        var tokens: [String: APIUser] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            var fields: [String] = []
            var field = ""
            var quoted = false
            for character in line {
                if character == "\"" {
                    quoted.toggle()
                } else if character == ",", !quoted {
                    fields.append(field)
                    field = ""
                } else {
                    field.append(character)
                }
            }
            fields.append(field)
            guard fields.count >= 3, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw TokenFileError(line: index + 1, message: "expected token,user,uid[,\"groups\"]")
            }
            let groups = fields.count > 3 ? fields[3].split(separator: ",").map(String.init) : []
            tokens[fields[0]] = APIUser(
                name: fields[1], groups: groups + ["system:authenticated"], uid: fields[2].isEmpty ? nil : fields[2])
        }
        self.init(tokens: tokens)
    }

    /// These tokens in the static token file format, which `init(staticTokenFile:)` reads back
    /// (`system:authenticated`, which every user gets, is left implicit).
    public var staticTokenFileText: String {
        tokens.sorted { $0.value.name < $1.value.name }.map { token, user in
            let groups = user.groups.filter { $0 != "system:authenticated" }.joined(separator: ",")
            return "\(token),\(user.name),\(user.uid ?? user.name),\"\(groups)\"\n"
        }.joined()
    }

    /// These tokens, and `other`'s where this has none for a user.
    public func merging(_ other: TokenAuthenticator) -> TokenAuthenticator {
        TokenAuthenticator(tokens: other.tokens.merging(tokens) { _, mine in mine })
    }

    /// The token of the user of that name (uids differ once a token file was read back).
    public func token(for user: APIUser) -> String? {
        tokens.first { $0.value.name == user.name }?.key
    }

    /// The user of an `Authorization: Bearer TOKEN` header. The scheme is
    /// case-insensitive (RFC 7235), as kube-apiserver reads it: `bearer TOKEN`
    /// is the same credential.
    func user(authorization: String?) -> APIUser? {
        guard let authorization else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return tokens[parts[1].trimmingCharacters(in: .whitespaces)]
    }

    static func newToken() -> String {
        (0..<32).map { _ in String("abcdefghijklmnopqrstuvwxyz0123456789".randomElement()!) }.joined()
    }
}

public struct TokenFileError: Error, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "token file line \(line): \(message)" }
}
