import KubeAPI

/// A kubeconfig for one user of this server, as kubectl reads it.
public enum KubeconfigFile {
    public static func text(server: String, caPEM: [UInt8], user: String, token: String) -> String {
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: kcp-ingress-dev
          cluster:
            server: \(server)
            certificate-authority-data: \(Base64.encode(caPEM))
        users:
        - name: \(user)
          user:
            token: \(token)
        contexts:
        - name: \(user)
          context:
            cluster: kcp-ingress-dev
            user: \(user)
        current-context: \(user)

        """
    }
}
