import Foundation
import Testing

@testable import KubeClient

@Suite("API client: TLS settings from a kubeconfig that cannot be used")
struct APIClientTLSSettingsTests {
    @Test("certificate-authority-data that is base64 but not PEM is a clear configuration error, not a crash")
    func certificateAuthorityNotPEM() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kcp-kubeconfig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let notPEM = Data("not a certificate".utf8).base64EncodedString()
        let path = directory.appendingPathComponent("config").path
        try Data(
            """
            apiVersion: v1
            kind: Config
            current-context: c
            contexts:
            - name: c
              context: {cluster: c, user: u}
            clusters:
            - name: c
              cluster: {server: "https://127.0.0.1:6443", certificate-authority-data: \(notPEM)}
            users:
            - name: u
              user: {token: t}
            """.utf8
        ).write(to: URL(fileURLWithPath: path))
        let connection = try KubeConfig.load(path: path)

        // Repeated: a double free of the TLS context does not always abort at once.
        for _ in 0..<50 {
            let error = #expect(throws: KubeConfigError.self) { try APIClient(connection: connection) }
            #expect(
                error?.message
                    == "the TLS settings for https://127.0.0.1:6443 are unusable: no PEM certificate found in the CA data"
            )
        }
    }
}
