import Foundation

/// Ages as kubectl shows them (apimachinery's `duration.HumanDuration`):
/// precise while young, coarser with time ("45s", "3m20s", "5h10m", "12d").
enum HumanDuration {
    static func string(_ interval: TimeInterval) -> String {
        // Up to two seconds in the future is clock skew: "0s".
        let seconds = Int(interval.rounded(.towardZero))
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 60 * 2 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 {
            let rest = seconds % 60
            return rest == 0 ? "\(minutes)m" : "\(minutes)m\(rest)s"
        }
        if minutes < 60 * 3 { return "\(minutes)m" }
        let hours = seconds / 3600
        if hours < 8 {
            let rest = minutes % 60
            return rest == 0 ? "\(hours)h" : "\(hours)h\(rest)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let rest = hours % 24
            return rest == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(rest)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let rest = (hours / 24) % 365
            return rest == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(rest)d"
        }
        return "\(hours / 24 / 365)y"
    }

    /// The age of an RFC 3339 timestamp at `now`; `<unknown>` without one.
    static func age(of timestamp: String?, now: Date) -> String {
        guard let timestamp, let date = try? Date.ISO8601FormatStyle().parse(timestamp) else { return "<unknown>" }
        return string(now.timeIntervalSince(date))
    }
}
