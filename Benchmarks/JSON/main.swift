// Parse and print throughput of KubeAPI's JSON against Foundation's, on the
// same bytes. Usage:
//   kubeapi-json-bench FILE [SECONDS]          the table
//   kubeapi-json-bench FILE --only CASE N      run one case N times (for
//                                              counting allocations under valgrind)
// CASE: parse-kubeapi, parse-jsonserialization, parse-jsondecoder,
//       print-kubeapi, print-jsonserialization, print-jsonencoder
import Foundation
import KubeAPI

/// Any JSON through Codable: what JSONDecoder needs to read arbitrary objects.
enum AnyJSON: Codable {
    case null, bool(Bool), number(Double), string(String), array([AnyJSON]), object([String: AnyJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([AnyJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: AnyJSON].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: kubeapi-json-bench FILE [SECONDS] | FILE --only CASE N")
    exit(2)
}
let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: arguments[1])))
let data = Data(bytes)
let parsed = try JSON(parsing: bytes)
let foundationObject = try JSONSerialization.jsonObject(with: data)
let decoded = try JSONDecoder().decode(AnyJSON.self, from: data)

let cases: [(name: String, run: () throws -> Int)] = [
    ("parse-kubeapi", { (try JSON(parsing: bytes)).objectValue?.count ?? 0 }),
    ("parse-jsonserialization", { ((try JSONSerialization.jsonObject(with: data)) as? [String: Any])?.count ?? 0 }),
    (
        "parse-jsondecoder",
        { if case .object(let o) = try JSONDecoder().decode(AnyJSON.self, from: data) { o.count } else { 0 } }
    ),
    ("print-kubeapi", { parsed.bytes.count }),
    ("print-jsonserialization", { try JSONSerialization.data(withJSONObject: foundationObject).count }),
    ("print-jsonencoder", { try JSONEncoder().encode(decoded).count }),
]

if arguments.count == 5, arguments[2] == "--only", let n = Int(arguments[4]),
    let chosen = cases.first(where: { $0.name == arguments[3] })
{
    var sink = 0
    for _ in 0..<n { sink &+= try chosen.run() }
    print(sink)
    exit(0)
}

let seconds = arguments.count > 2 ? Double(arguments[2]) ?? 2 : 2
print("\(arguments[1].split(separator: "/").last!): \(bytes.count) bytes")
print("| case | MB/s | µs per document |")
print("|---|---|---|")
for (name, run) in cases {
    var sink = 0
    for _ in 0..<200 { sink &+= try run() }  // warm-up
    var iterations = 0
    let clock = ContinuousClock()
    let started = clock.now
    var elapsed = Duration.zero
    repeat {
        for _ in 0..<100 { sink &+= try run() }
        iterations += 100
        elapsed = clock.now - started
    } while elapsed < .seconds(seconds)
    let perDocument =
        Double(elapsed.components.seconds) * 1e6 / Double(iterations)
        + Double(elapsed.components.attoseconds) / 1e12 / Double(iterations)
    let megabytes = Double(bytes.count * iterations) / 1e6 / (perDocument * Double(iterations) / 1e6)
    print("| \(name) | \(String(format: "%.1f", megabytes)) | \(String(format: "%.2f", perDocument)) |")
    if sink == 42 { print("") }  // keeps the work observable
}
