import ArgumentParser

/// A duration written as Go writes them: `30s`, `1m30s`, `500ms`, `2h`.
struct GoDuration: ExpressibleByArgument, Hashable, Sendable, CustomStringConvertible {
    var duration: Duration
    var description: String

    init?(argument: String) {
        let units: [(suffix: String, nanoseconds: Double)] = [
            ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
        ]
        var rest = Substring(argument)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        if rest == "0" {
            self.init(duration: .zero, description: argument)
            return
        }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !$0.isNumber && $0 != "." }
            guard let unit = units.first(where: { $0.suffix == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.nanoseconds
        }
        self.init(duration: .nanoseconds(Int64(total)), description: argument)
    }

    init(duration: Duration, description: String) {
        self.duration = duration
        self.description = description
    }

    var defaultValueDescription: String { description }
}
