import ArgumentParser

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
