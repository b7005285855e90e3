import Foundation
import Testing

@testable import KubeClient

@Suite("Kubeconfig and in-cluster configuration")
struct KubeConfigTests {
    /// A directory holding `config` with `text`, and files beside it.
    func write(_ text: String, files: [String: String] = [:]) throws -> (path: String, directory: URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kcp-kubeconfig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, contents) in files { try Data(contents.utf8).write(to: directory.appendingPathComponent(name)) }
        let path = directory.appendingPathComponent("config").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return (path, directory)
    }

    static let valid = """
        apiVersion: v1
        kind: Config
        current-context: kcp
        clusters:
        - name: kcp
          cluster:
            server: https://127.0.0.1:6443/clusters/root:org/
            certificate-authority-data: Q0EgUEVN
        - name: other
          cluster:
            server: https://10.0.0.1
            certificate-authority: ca.crt
            insecure-skip-tls-verify: true
        users:
        - name: admin
          user:
            token: secret
        - name: robot
          user:
            client-certificate: client.crt
            client-key-data: S0VZ
            tokenFile: token
        contexts:
        - name: kcp
          context: {cluster: kcp, user: admin}
        - name: other
          context: {cluster: other, user: robot}
        """

    @Test("the current context: server with its path prefix, CA data, token")
    func currentContext() throws {
        let (path, directory) = try write(Self.valid)
        defer { try? FileManager.default.removeItem(at: directory) }
        let connection = try KubeConfig.load(path: path)
        #expect(connection.server == "https://127.0.0.1:6443/clusters/root:org")
        #expect(connection.certificateAuthority == Array("CA PEM".utf8))
        #expect(connection.token == "secret")
        #expect(!connection.insecureSkipTLSVerify)
    }

    @Test("another context: files relative to the kubeconfig, key data, token file, insecure")
    func namedContext() throws {
        let (path, directory) = try write(Self.valid, files: ["ca.crt": "CA", "client.crt": "CERT"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let connection = try KubeConfig.load(path: path, context: "other")
        #expect(connection.certificateAuthority == Array("CA".utf8))
        #expect(connection.clientCertificate == Array("CERT".utf8))
        #expect(connection.clientKey == Array("KEY".utf8))
        #expect(connection.tokenFile == directory.appendingPathComponent("token").path)
        #expect(connection.insecureSkipTLSVerify)
    }

    @Test(
        "broken kubeconfigs are one-line errors naming the file and the field",
        arguments: [
            ("kind: Config\n", "current-context is not set and no context was given"),
            ("current-context: x\ncontexts: []\n", "contexts[x] not found"),
            (
                "current-context: x\ncontexts:\n- name: x\n  context: {user: u}\n",
                "contexts[x].context.cluster is missing"
            ),
            (
                "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\nclusters:\n- name: c\n  cluster: {server: ftp://x}\n",
                "clusters[c].cluster.server is missing or not an http(s) URL"
            ),
            (
                "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\nclusters:\n- name: c\n  cluster: {server: https://x, certificate-authority-data: '!!!'}\n",
                "clusters[c].cluster.certificate-authority-data is not base64"
            ),
            (
                "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\nclusters:\n- name: c\n  cluster: {server: https://x, certificate-authority: missing.crt}\n",
                "clusters[c].cluster.certificate-authority:"
            ),
            ("- just\n- a list\n", "not a kubeconfig mapping"),
            ("key: [unclosed\n", "not YAML"),
        ])
    func broken(text: String, message: String) throws {
        let (path, directory) = try write(text)
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = #expect(throws: KubeConfigError.self) { try KubeConfig.load(path: path) }
        #expect(error?.message.hasPrefix(path + ": ") == true)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("\n") == false)
    }

    @Test("in cluster: the service's address, the service account's CA and token file")
    func inCluster() throws {
        let (_, directory) = try write("", files: ["token": "t0k3n", "ca.crt": "CA"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let connection = try KubeConfig.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"],
            secretsDirectory: directory.path)
        #expect(connection.server == "https://10.96.0.1:443")
        #expect(connection.certificateAuthority == Array("CA".utf8))
        #expect(connection.tokenFile == directory.path + "/token")
        #expect(throws: KubeConfigError.self) {
            try KubeConfig.inCluster(environment: [:], secretsDirectory: directory.path)
        }
    }

    @Test("a KUBECONFIG list merges: the first file to name an entry wins; files are relative to their own file")
    func mergedList() throws {
        let (first, firstDirectory) = try write(
            """
            current-context: team
            contexts:
            - name: team
              context: {cluster: shared, user: me}
            users:
            - name: me
              user: {client-certificate: me.crt, client-key: me.key}
            """, files: ["me.crt": "MY CERT", "me.key": "MY KEY"])
        let (second, secondDirectory) = try write(
            """
            current-context: ignored
            clusters:
            - name: shared
              cluster: {server: https://shared.example.com:6443, certificate-authority: ca.crt}
            users:
            - name: me
              user: {token: shadowed}
            """, files: ["ca.crt": "SHARED CA"])
        defer {
            try? FileManager.default.removeItem(at: firstDirectory)
            try? FileManager.default.removeItem(at: secondDirectory)
        }
        let missing = firstDirectory.appendingPathComponent("absent").path
        let connection = try #require(
            try KubeConfig.resolve(
                kubeconfig: nil, context: nil, environment: ["KUBECONFIG": "\(missing):\(first):\(second)"]))
        #expect(connection.server == "https://shared.example.com:6443")
        #expect(connection.certificateAuthority == Array("SHARED CA".utf8))
        #expect(connection.clientCertificate == Array("MY CERT".utf8) && connection.clientKey == Array("MY KEY".utf8))
        #expect(connection.token == nil)
    }

    @Test("resolution order: -kubeconfig, then KUBECONFIG, then in-cluster; nothing is a clear error")
    func resolutionOrder() throws {
        let (path, directory) = try write(Self.valid)
        defer { try? FileManager.default.removeItem(at: directory) }
        let flag = try KubeConfig.resolve(
            kubeconfig: path, context: "kcp", environment: ["KUBECONFIG": "/nonexistent", "HOME": "/nonexistent"])
        #expect(flag?.token == "secret")
        #expect(try KubeConfig.resolve(kubeconfig: nil, context: nil, environment: ["HOME": "/nonexistent"]) == nil)
        let brokenList = #expect(throws: KubeConfigError.self) {
            try KubeConfig.resolve(kubeconfig: nil, context: nil, environment: ["KUBECONFIG": "/no/a:/no/b"])
        }
        #expect(brokenList?.message == "/no/a:/no/b: no kubeconfig file exists")
    }

    @Test(
        "in cluster, broken: each missing piece named",
        arguments: [
            ([:], ["token", "ca.crt"], "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set"),
            (["KUBERNETES_SERVICE_HOST": "10.0.0.1"], ["token", "ca.crt"], "are not set"),
            (
                ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"], ["ca.crt"],
                "/token: cannot be read"
            ),
            (
                ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"], ["token"],
                "/ca.crt: cannot be read"
            ),
        ] as [([String: String], [String], String)])
    func inClusterBroken(environment: [String: String], files: [String], message: String) throws {
        let (_, directory) = try write("", files: Dictionary(uniqueKeysWithValues: files.map { ($0, "x") }))
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = #expect(throws: KubeConfigError.self) {
            try KubeConfig.inCluster(environment: environment, secretsDirectory: directory.path)
        }
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }

    @Test("in cluster, IPv6: the host is bracketed")
    func inClusterIPv6() throws {
        let (_, directory) = try write("", files: ["token": "t", "ca.crt": "CA"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let connection = try KubeConfig.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"],
            secretsDirectory: directory.path)
        #expect(connection.server == "https://[fd00::1]:443")
    }
}
