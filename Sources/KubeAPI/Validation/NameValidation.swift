/// The name and value rules of Kubernetes (apimachinery's validation
/// package), shared by the webhook and the development API server.
public enum NameValidation {
    /// A DNS-1123 label: at most 63 of `a-z`, `0-9`, `-`, starting and
    /// ending alphanumeric. Returns the reason it is not, or nil.
    public static func dns1123LabelError(_ value: String) -> String? {
        guard !value.isEmpty else { return "must not be empty" }
        guard value.utf8.count <= 63 else { return "must be no more than 63 characters" }
        guard isLabelShaped(value.utf8, allowed: isLowerAlphanumeric) else {
            return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                + "and must start and end with an alphanumeric character"
        }
        return nil
    }

    /// A DNS-1123 subdomain: at most 253 characters of dot-separated labels.
    public static func dns1123SubdomainError(_ value: String) -> String? {
        guard !value.isEmpty else { return "must not be empty" }
        guard value.utf8.count <= 253 else { return "must be no more than 253 characters" }
        for label in value.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        where !isLabelShaped(label, allowed: isLowerAlphanumeric) {
            return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                + "and must start and end with an alphanumeric character"
        }
        return nil
    }

    /// A host as Ingress, HTTPRoute and Route accept it: a DNS-1123
    /// subdomain, or `*.` followed by one.
    public static func hostError(_ host: String) -> String? {
        if host.hasPrefix("*.") {
            return dns1123SubdomainError(String(host.dropFirst(2))).map { "wildcard host: \($0)" }
        }
        if host.utf8.contains(UInt8(ascii: "*")) {
            return "a wildcard is only allowed as the whole first label, as in *.example.com"
        }
        return dns1123SubdomainError(host)
    }

    /// A label key: an optional DNS-subdomain prefix (≤ 253) and `/`, then a
    /// name of at most 63 alphanumerics, `-`, `_`, `.` that starts and ends
    /// alphanumeric.
    public static func labelKeyError(_ key: String) -> String? {
        let parts = key.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let name: Substring
        if parts.count == 2 {
            if parts[0].isEmpty { return "prefix part must not be empty" }
            if let problem = dns1123SubdomainError(String(parts[0])) { return "prefix part \(problem)" }
            name = parts[1]
        } else {
            name = parts[0]
        }
        guard !name.isEmpty else { return "name part must not be empty" }
        guard name.utf8.count <= 63 else { return "name part must be no more than 63 characters" }
        guard isLabelShaped(name.utf8, allowed: isQualifiedNameCharacter) else {
            return "name part must consist of alphanumeric characters, '-', '_' or '.', "
                + "and must start and end with an alphanumeric character"
        }
        return nil
    }

    /// A label value: empty, or at most 63 characters shaped like a key's name.
    public static func labelValueError(_ value: String) -> String? {
        guard !value.isEmpty else { return nil }
        guard value.utf8.count <= 63 else { return "must be no more than 63 characters" }
        guard isLabelShaped(value.utf8, allowed: isQualifiedNameCharacter) else {
            return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                + "and must start and end with an alphanumeric character"
        }
        return nil
    }

    private static func isLabelShaped<Bytes: BidirectionalCollection<UInt8>>(_ bytes: Bytes, allowed: (UInt8) -> Bool)
        -> Bool
    {
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last),
            allowed(first), allowed(last)
        else { return false }
        return bytes.allSatisfy(allowed)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: "-")
    }

    private static func isQualifiedNameCharacter(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }
}
