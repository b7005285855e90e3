import ArgumentParser
import NIOCore
import NIOPosix

// One event loop per CPU this process may run on: see AllowedCPUs.
if let allowed = AllowedCPUs.count(), allowed < System.coreCount {
    NIOSingletons.groupLoopCountSuggestion = allowed
}

// Parsed by hand rather than through `@main` so that Go-style single-dash
// long flags can be rewritten first.
do {
    var command = try KCPIngress.parseAsRoot(GoStyleFlags.normalize(CommandLine.arguments.dropFirst()))
    if var runnable = command as? any AsyncRunnable {
        try await runnable.run()
    } else {
        try command.run()
    }
} catch {
    KCPIngress.exit(withError: error)
}
