import ArgumentParser
import Foundation
import Testing

@testable import kcp_ingress

@Suite("The command line keeps the proof of concept's Go-style flags")
struct CommandLineTests {
    @Test("single-dash long flags become double-dash ones; short flags, values and what follows -- are untouched")
    func goStyleFlags() {
        #expect(
            GoStyleFlags.normalize(["-webhook-port", "9443", "-log-format=json", "--read-timeout", "5s", "-h"])
                == ["--webhook-port", "9443", "--log-format=json", "--read-timeout", "5s", "-h"])
        #expect(GoStyleFlags.normalize(["--", "-not-a-flag"]) == ["--", "-not-a-flag"])
        #expect(GoStyleFlags.normalize(["-1"]) == ["-1"])
    }

    @Test("durations are written as Go writes them")
    func goDurations() {
        #expect(GoDuration(argument: "30s")?.duration == .seconds(30))
        #expect(GoDuration(argument: "1m30s")?.duration == .seconds(90))
        #expect(GoDuration(argument: "250ms")?.duration == .milliseconds(250))
        #expect(GoDuration(argument: "1.5h")?.duration == .seconds(5400))
        #expect(GoDuration(argument: "0")?.duration == .zero)
        #expect(GoDuration(argument: "30") == nil)
        #expect(GoDuration(argument: "") == nil)
        #expect(GoDuration(argument: "5 parsecs") == nil)
    }

    @Test("serve parses every flag, in both spellings, and requires the certificate pair")
    func serveFlags() throws {
        let command = try ServeCommand.parse(
            GoStyleFlags.normalize([
                "-webhook-port", "9443", "--tls-cert-file", "c", "-tls-private-key-file", "k", "-idle-timeout", "1m",
                "--health-probe-bind-address", "0",
            ]))
        #expect(command.webhookPort == 9443)
        #expect(command.idleTimeout.duration == .seconds(60))
        #expect(command.healthProbeBindAddress == "0")
        #expect(command.maxRequestBytes == 7 * 1024 * 1024)
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--webhook-port", "9443"]) }
    }

    @Test("the API client and leader election flags: proof-of-concept and controller-runtime names and defaults")
    func clientFlags() throws {
        let defaults = try ServeCommand.parse(["--tls-cert-file", "c", "--tls-private-key-file", "k"])
        #expect(defaults.kubeconfig == nil && defaults.context == nil)
        #expect(defaults.kubeApiQps == 20 && defaults.kubeApiBurst == 30)
        #expect(!defaults.leaderElect && defaults.leaderElectionNamespace == nil)
        #expect(defaults.leaderElectionId == "kcp-ingress-leader")
        let command = try ServeCommand.parse(
            GoStyleFlags.normalize([
                "-kubeconfig", "/etc/kcp/config", "-context", "root:org", "--kube-api-qps", "50", "-kube-api-burst",
                "100", "--leader-elect", "--leader-election-namespace", "kcp-ingress", "-leader-election-id", "x",
                "--tls-cert-file", "c", "--tls-private-key-file", "k",
            ]))
        #expect(command.kubeconfig == "/etc/kcp/config" && command.context == "root:org")
        #expect(command.kubeApiQps == 50 && command.kubeApiBurst == 100)
        #expect(command.leaderElect && command.leaderElectionNamespace == "kcp-ingress")
        #expect(command.leaderElectionId == "x")
        #expect(throws: (any Error).self) {
            try ServeCommand.parse(["--tls-cert-file", "c", "--tls-private-key-file", "k", "--kube-api-qps", "0"])
        }
    }

    @Test("the leader election namespace defaults to the pod's, from its service account, else kube-system")
    func leaderElectionNamespace() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kcp-sa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(ClusterSync.defaultLeaderElectionNamespace(secretsDirectory: directory.path) == "kube-system")
        try Data("kcp-ingress\n".utf8).write(to: directory.appendingPathComponent("namespace"))
        #expect(ClusterSync.defaultLeaderElectionNamespace(secretsDirectory: directory.path) == "kcp-ingress")
    }
}
