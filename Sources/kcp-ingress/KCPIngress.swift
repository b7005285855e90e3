import ArgumentParser
import KubeClient

struct KCPIngress: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kcp-ingress",
        abstract: "Places Ingress, HTTPRoute and Route objects on the physical clusters that serve them.",
        version: KCPIngressVersion.current,
        subcommands: [ServeCommand.self, DevCommand.self, DevAPIServerCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}

/// The subcommands whose `run` is asynchronous. Calling `run()` through
/// `any AsyncParsableCommand` would pick the synchronous requirement it
/// inherits from `ParsableCommand`, which only prints the help.
protocol AsyncRunnable {
    mutating func run() async throws
}

extension ServeCommand: AsyncRunnable {}
