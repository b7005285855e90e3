public import Foundation
import KubeAPI
import Yams

/// Where and how to reach an API server: what client-go's rest.Config holds.
public struct ClusterConnection: Sendable, Equatable {
    /// `https://host:port`, with any path prefix kept (kcp serves logical
    /// clusters under `/clusters/NAME`), without a trailing slash.
    public var server: String
    /// PEM; nil means the system roots.
    public var certificateAuthority: [UInt8]?
    public var insecureSkipTLSVerify: Bool
    public var clientCertificate: [UInt8]?
    public var clientKey: [UInt8]?
    public var token: String?
    /// Re-read as bound service-account tokens rotate.
    public var tokenFile: String?
}

public struct KubeConfigError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
    init(_ message: String) { self.message = message }
}

/// Reads kubeconfig files (`-kubeconfig`, `KUBECONFIG`) and the in-cluster
/// service-account configuration, with one-line errors naming the file and
/// the field.
public enum KubeConfig {
    /// The connection of `context` (or the current context) in `path`.
    public static func load(path: String, context: String? = nil) throws(KubeConfigError) -> ClusterConnection {
        try load(paths: [path], context: context)
    }

    /// The connection of `context` in the merge of `paths`, as kubectl
    /// merges a `KUBECONFIG` list: the first file to name a cluster, user,
    /// context or current-context wins; relative file names are relative
    /// to the file that holds them. Files in the list that do not exist are
    /// skipped, but at least one must.
    public static func load(paths: [String], context: String? = nil) throws(KubeConfigError) -> ClusterConnection {
        var merged = Merged()
        var readAny = false
        for path in paths where !path.isEmpty {
            if paths.count > 1, !FileManager.default.fileExists(atPath: path) { continue }
            try merged.add(try document(at: path), path: path)
            readAny = true
        }
        guard readAny else { throw KubeConfigError("\(paths.joined(separator: ":")): no kubeconfig file exists") }
        return try merged.connection(context: context)
    }

    /// What controller-runtime does: `-kubeconfig`, else `KUBECONFIG`, else
    /// the in-cluster service account, else `~/.kube/config`; nil when none
    /// of them is there.
    public static func resolve(
        kubeconfig: String?, context: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(KubeConfigError) -> ClusterConnection? {
        if let kubeconfig, !kubeconfig.isEmpty { return try load(path: kubeconfig, context: context) }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            return try load(paths: list.split(separator: ":").map(String.init), context: context)
        }
        if environment["KUBERNETES_SERVICE_HOST", default: ""] != "" { return try inCluster(environment: environment) }
        guard let home = environment["HOME"], FileManager.default.fileExists(atPath: home + "/.kube/config") else {
            return nil
        }
        return try load(path: home + "/.kube/config", context: context)
    }

    private static func document(at path: String) throws(KubeConfigError) -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeConfigError("\(path): cannot be read")
        }
        let document: Any?
        do {
            document = try Yams.load(yaml: String(decoding: data, as: UTF8.self))
        } catch {
            // Yams describes errors over several lines (with a caret); keep one.
            let summary = "\(error)".split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && $0 != "^" }.joined(separator: " ")
            throw KubeConfigError("\(path): not YAML: \(summary)")
        }
        guard let root = document as? [String: Any] else { throw KubeConfigError("\(path): not a kubeconfig mapping") }
        return root
    }

    /// The in-cluster configuration: `KUBERNETES_SERVICE_HOST` and `_PORT`,
    /// and the service account's token and CA under `secretsDirectory`.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        secretsDirectory: String = "/var/run/secrets/kubernetes.io/serviceaccount"
    ) throws(KubeConfigError) -> ClusterConnection {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"],
            !host.isEmpty, !port.isEmpty
        else {
            throw KubeConfigError(
                "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set")
        }
        let tokenFile = secretsDirectory + "/token"
        guard FileManager.default.isReadableFile(atPath: tokenFile) else {
            throw KubeConfigError("\(tokenFile): cannot be read")
        }
        let caFile = secretsDirectory + "/ca.crt"
        guard let ca = FileManager.default.contents(atPath: caFile) else {
            throw KubeConfigError("\(caFile): cannot be read")
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return ClusterConnection(
            server: "https://\(hostPart):\(port)", certificateAuthority: Array(ca), insecureSkipTLSVerify: false,
            clientCertificate: nil, clientKey: nil, token: nil, tokenFile: tokenFile)
    }
}

/// The entries of one or more kubeconfig files, each remembering its file.
private struct Merged {
    struct Entry {
        var mapping: [String: Any]
        var path: String
    }

    var currentContext: (name: String, path: String)?
    var entries: [String: [String: Entry]] = ["clusters": [:], "contexts": [:], "users": [:]]
    var paths: [String] = []

    mutating func add(_ root: [String: Any], path: String) throws(KubeConfigError) {
        paths.append(path)
        if currentContext == nil, let name = root["current-context"] as? String, !name.isEmpty {
            currentContext = (name, path)
        }
        for (list, field) in [("clusters", "cluster"), ("contexts", "context"), ("users", "user")] {
            guard let values = root[list] else { continue }
            guard let items = values as? [[String: Any]] else {
                throw KubeConfigError("\(path): \(list) is not a list")
            }
            for item in items {
                guard let name = item["name"] as? String else {
                    throw KubeConfigError("\(path): \(list) has an entry without a name")
                }
                guard entries[list]![name] == nil else { continue }
                guard let inner = item[field] as? [String: Any] else {
                    throw KubeConfigError("\(path): \(list)[\(name)].\(field) is missing")
                }
                entries[list]![name] = Entry(mapping: inner, path: path)
            }
        }
    }

    func connection(context requested: String?) throws(KubeConfigError) -> ClusterConnection {
        let files = paths.joined(separator: ":")
        guard let contextName = requested ?? currentContext?.name else {
            throw KubeConfigError("\(files): current-context is not set and no context was given")
        }
        let context = try named("contexts", contextName, in: files)
        guard let clusterName = context.mapping["cluster"] as? String else {
            throw KubeConfigError("\(context.path): contexts[\(contextName)].context.cluster is missing")
        }
        let cluster = try named("clusters", clusterName, in: context.path)
        guard let server = cluster.mapping["server"] as? String,
            server.hasPrefix("https://") || server.hasPrefix("http://")
        else {
            throw KubeConfigError(
                "\(cluster.path): clusters[\(clusterName)].cluster.server is missing or not an http(s) URL")
        }
        let userName = context.mapping["user"] as? String ?? ""
        let user =
            try (context.mapping["user"] as? String).map { name throws(KubeConfigError) in
                try named("users", name, in: context.path)
            } ?? Entry(mapping: [:], path: context.path)
        return ClusterConnection(
            server: server.hasSuffix("/") ? String(server.dropLast()) : server,
            certificateAuthority: try bytes(cluster, "certificate-authority", "clusters[\(clusterName)].cluster"),
            insecureSkipTLSVerify: cluster.mapping["insecure-skip-tls-verify"] as? Bool ?? false,
            clientCertificate: try bytes(user, "client-certificate", "users[\(userName)].user"),
            clientKey: try bytes(user, "client-key", "users[\(userName)].user"),
            token: user.mapping["token"] as? String,
            tokenFile: (user.mapping["tokenFile"] as? String).map { resolve($0, relativeTo: user.path) })
    }

    private func named(_ list: String, _ name: String, in path: String) throws(KubeConfigError) -> Entry {
        guard let entry = entries[list]?[name] else { throw KubeConfigError("\(path): \(list)[\(name)] not found") }
        return entry
    }

    /// `FIELD-data` (base64) or `FIELD` (a path relative to the entry's kubeconfig).
    private func bytes(_ entry: Entry, _ field: String, _ at: String) throws(KubeConfigError) -> [UInt8]? {
        if let data = entry.mapping["\(field)-data"] as? String {
            guard let decoded = Base64.decode(data.filter { !$0.isWhitespace }) else {
                throw KubeConfigError("\(entry.path): \(at).\(field)-data is not base64")
            }
            return decoded
        }
        guard let file = entry.mapping[field] as? String else { return nil }
        let resolved = resolve(file, relativeTo: entry.path)
        guard let contents = FileManager.default.contents(atPath: resolved) else {
            throw KubeConfigError("\(entry.path): \(at).\(field): \(resolved) cannot be read")
        }
        return Array(contents)
    }

    private func resolve(_ file: String, relativeTo path: String) -> String {
        guard !file.hasPrefix("/") else { return file }
        return URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(file).path
    }
}
