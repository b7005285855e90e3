import Foundation
import KubeAPI

/// `metav1.MicroTime`: RFC 3339 in UTC with exactly six fractional digits,
/// which is what the API server's parser insists on.
enum MicroTime {
    static func string(_ date: Date = Date()) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
        var seconds = time_t(micros / 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String { value.zeroPadded(width: width) }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + (micros % 1_000_000).zeroPadded(width: 6) + "Z"
    }
}
