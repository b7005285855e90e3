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
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        return try Parsed(root: root, path: path, directory: directory).connection(context: context)
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

private struct Parsed {
    let root: [String: Any]
    let path: String
    let directory: URL

    func connection(context requested: String?) throws(KubeConfigError) -> ClusterConnection {
        guard let contextName = requested ?? (root["current-context"] as? String), !contextName.isEmpty else {
            throw KubeConfigError("\(path): current-context is not set and no context was given")
        }
        let context = try named("contexts", contextName, field: "context")
        guard let clusterName = context["cluster"] as? String else {
            throw KubeConfigError("\(path): contexts[\(contextName)].context.cluster is missing")
        }
        let cluster = try named("clusters", clusterName, field: "cluster")
        guard let server = cluster["server"] as? String, server.hasPrefix("https://") || server.hasPrefix("http://")
        else {
            throw KubeConfigError("\(path): clusters[\(clusterName)].cluster.server is missing or not an http(s) URL")
        }
        let user =
            try (context["user"] as? String).map { name throws(KubeConfigError) in
                try named("users", name, field: "user")
            } ?? [:]
        let userName = context["user"] as? String ?? ""
        return ClusterConnection(
            server: server.hasSuffix("/") ? String(server.dropLast()) : server,
            certificateAuthority: try bytes(cluster, "certificate-authority", "clusters[\(clusterName)].cluster"),
            insecureSkipTLSVerify: cluster["insecure-skip-tls-verify"] as? Bool ?? false,
            clientCertificate: try bytes(user, "client-certificate", "users[\(userName)].user"),
            clientKey: try bytes(user, "client-key", "users[\(userName)].user"),
            token: user["token"] as? String,
            tokenFile: (user["tokenFile"] as? String).map(resolve))
    }

    /// The inner mapping of the entry called `name` in the list `list`.
    private func named(_ list: String, _ name: String, field: String) throws(KubeConfigError) -> [String: Any] {
        guard let entries = root[list] as? [[String: Any]],
            let entry = entries.first(where: { $0["name"] as? String == name })
        else { throw KubeConfigError("\(path): \(list)[\(name)] not found") }
        guard let inner = entry[field] as? [String: Any] else {
            throw KubeConfigError("\(path): \(list)[\(name)].\(field) is missing")
        }
        return inner
    }

    /// `FIELD-data` (base64) or `FIELD` (a path relative to the kubeconfig).
    private func bytes(_ mapping: [String: Any], _ field: String, _ at: String) throws(KubeConfigError) -> [UInt8]? {
        if let data = mapping["\(field)-data"] as? String {
            guard let decoded = Base64.decode(data.filter { !$0.isWhitespace }) else {
                throw KubeConfigError("\(path): \(at).\(field)-data is not base64")
            }
            return decoded
        }
        guard let file = mapping[field] as? String else { return nil }
        guard let contents = FileManager.default.contents(atPath: resolve(file)) else {
            throw KubeConfigError("\(path): \(at).\(field): \(resolve(file)) cannot be read")
        }
        return Array(contents)
    }

    private func resolve(_ file: String) -> String {
        file.hasPrefix("/") ? file : directory.appendingPathComponent(file).path
    }
}
