import NIOHTTP1
import Synchronization

/// The warnings of one API request, returned as `Warning: 299 - "…"`
/// headers as kube-apiserver's warning recorder
/// (`pkg/endpoints/filters/warning.go`) returns them: in order, each text
/// once, and, once their total passes 4,096 characters, every warning cut
/// to 256 characters and no more added after the total is reached.
final class AdmissionWarnings: Sendable {
    /// The recorder of the request being served; webhooks called for it add
    /// to it from any task, as Go code adds to the request's context.
    @TaskLocal static var current: AdmissionWarnings?

    static let truncateAtTotal = 4 * 1024
    static let truncateItem = 256

    private struct State {
        var recorded: Set<String> = []
        var ordered: [String] = []
        var headers: [String] = []
        var written = 0
        var truncating = false
    }

    private let state = Mutex(State())

    func add(_ text: String) {
        guard !text.isEmpty else { return }
        state.withLock { state in
            if state.truncating, state.written >= Self.truncateAtTotal { return }
            guard state.recorded.insert(text).inserted else { return }
            state.ordered.append(text)
            let cut = state.truncating ? Self.cut(text) : text
            guard let header = Self.header(cut) else { return }
            if state.truncating || state.written + cut.count <= Self.truncateAtTotal {
                state.written += cut.count
                state.headers.append(header)
                return
            }
            // Over the total for the first time: replay everything cut short.
            state.truncating = true
            state.written = 0
            state.headers = []
            for earlier in state.ordered {
                let short = Self.cut(earlier)
                if let header = Self.header(short) {
                    state.written += short.count
                    state.headers.append(header)
                }
            }
        }
    }

    /// The header values, in the order the warnings were added.
    var headerValues: [String] { state.withLock { $0.headers } }

    func apply(to headers: inout HTTPHeaders) {
        for value in headerValues { headers.add(name: "Warning", value: value) }
    }

    private static func cut(_ text: String) -> String {
        text.count > truncateItem ? String(text.prefix(truncateItem)) : text
    }

    /// RFC 7234's warn-value with code 299 and agent `-`; nil for text a
    /// header cannot carry (control characters), which Go's
    /// `net.NewWarningHeader` refuses too.
    static func header(_ text: String) -> String? {
        var quoted = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F { return nil }
            if scalar == "\"" || scalar == "\\" { quoted.append("\\") }
            quoted.unicodeScalars.append(scalar)
        }
        return "299 - \"\(quoted)\""
    }
}
