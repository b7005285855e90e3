import Foundation
import Testing

/// The README's flag tables against the binary's own description of its
/// flags, so the two cannot drift: every flag the binary has is in the
/// table with its default and its help text, and the table has no other.
/// `contrib/flag-table.py README.md` rewrites the tables.
@Suite("README flag tables", .timeLimit(.minutes(1)))
struct FlagTableTests {
    struct Flag: Equatable, CustomStringConvertible {
        var name: String
        var defaultValue: String
        var help: String
        var description: String { "--\(name) [\(defaultValue)] \(help)" }
    }

    @Test(
        "each command's table in the README says what kcp-ingress <command> --help says", arguments: ["serve", "dev"])
    func tableMatchesHelp(command: String) async throws {
        let readme = try String(
            contentsOf: KCPIngressServer.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let table = try Self.tableFlags(readme, command: command)
        let help = try await Self.binaryFlags(command)
        #expect(!help.isEmpty)
        let missing = help.filter { flag in !table.contains { $0.name == flag.name } }
        let extra = table.filter { row in !help.contains { $0.name == row.name } }
        #expect(missing.isEmpty, "flags missing from the README's \(command) table: \(missing)")
        #expect(extra.isEmpty, "flags in the README's \(command) table that \(command) does not have: \(extra)")
        for flag in help {
            guard let row = table.first(where: { $0.name == flag.name }) else { continue }
            #expect(row == flag, "the README says \(row), the binary \(flag)")
        }
    }

    /// Rows `| `--name` | `default` | help |` between the command's markers.
    static func tableFlags(_ readme: String, command: String) throws -> [Flag] {
        guard let start = readme.range(of: "<!-- flags:\(command) -->"),
            let end = readme.range(of: "<!-- /flags:\(command) -->", range: start.upperBound..<readme.endIndex)
        else { throw TestFailure("the README has no flag table for \(command)") }
        return readme[start.upperBound..<end.lowerBound].split(separator: "\n").compactMap { line in
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard cells.count >= 5, cells[1].hasPrefix("`--") else { return nil }
            return Flag(
                name: String(cells[1].dropFirst(3).dropLast()),
                defaultValue: cells[2].trimmingCharacters(in: CharacterSet(charactersIn: "`")),
                help: cells[3...].dropLast().joined(separator: "|").replacingOccurrences(of: "\\", with: ""))
        }
    }

    /// What `kcp-ingress <command> --experimental-dump-help` lists, as the table shows it.
    static func binaryFlags(_ command: String) async throws -> [Flag] {
        let result = try await run(KCPIngressServer.binary, [command, "--experimental-dump-help"])
        guard result.status == 0,
            let dump = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            let arguments = (dump["command"] as? [String: Any])?["arguments"] as? [[String: Any]]
        else { throw TestFailure("no help dump from \(command): \(result.stderr)") }
        return arguments.compactMap { argument in
            guard argument["shouldDisplay"] as? Bool ?? true, argument["kind"] as? String != "positional",
                let name = (argument["preferredName"] as? [String: Any])?["name"] as? String,
                !["help", "version"].contains(name)
            else { return nil }
            let defaultValue =
                argument["kind"] as? String == "flag"
                ? "off" : (argument["defaultValue"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "—"
            return Flag(name: name, defaultValue: defaultValue, help: argument["abstract"] as? String ?? "")
        }
    }
}
