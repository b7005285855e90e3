/// The project's version: the command line's `--version` and the API client's User-Agent.
public enum KCPIngressVersion {
    public static let current = "0.1.0"
}
