// One admission review's own work, in process, with no transport: the body
// decoded into a review, /validate's decision, /mutate's placement (the
// leaves and the root's patch), the answer encoded — each step timed alone
// and the whole, in ns per review (what the webhook spends on a review
// besides TLS and HTTP).
//
//     python3 contrib/bench/admission.py DIR
//     swift run -c release admission-review-bench DIR/ingress-small-validate.json [...]
//
// ROUNDS (default 20000) sets the rounds of each step; `--only STEP` runs
// that step alone, untimed (for valgrind's allocation counts, as
// contrib/bench/admission-review.sh takes them).
import Admission
import Foundation
import KubeAPI
import Placement

var arguments = Array(CommandLine.arguments.dropFirst())
var only: String?
if let flag = arguments.firstIndex(of: "--only"), flag + 1 < arguments.count {
    only = arguments[flag + 1]
    arguments.removeSubrange(flag...(flag + 1))
}
guard !arguments.isEmpty else {
    FileHandle.standardError.write(Data("usage: admission-review-bench [--only STEP] REVIEW.json...\n".utf8))
    exit(2)
}
let rounds = ProcessInfo.processInfo.environment["ROUNDS"].flatMap(Int.init) ?? 20_000

// Informer stores as /validate reads them, here without roots: the host-claim
// look-up is made and finds no other claim. The Services place `web` on east
// and `api` on west, as in the end-to-end benchmark.
let empty = IndexedObjects(get: { _ in nil }, byIndex: { _, _ in [] })
let reader = IndexedPlacementReader(services: empty, roots: [.ingress: empty, .httpRoute: empty, .route: empty])
let validator = Validator(settings: AdmissionSettings(), reader: reader)
let services: [String: JSON] = [
    "web": [
        "apiVersion": "v1", "kind": "Service", "metadata": ["name": "web", "labels": ["kcp.dev/cluster": "east"]],
    ],
    "api": [
        "apiVersion": "v1", "kind": "Service", "metadata": ["name": "api", "labels": ["kcp.dev/cluster": "west"]],
    ],
]

func nanoseconds(_ work: () -> Int) -> Double {
    var sink = 0
    for _ in 0..<min(rounds, 1000) { sink &+= work() }  // warm
    let start = ContinuousClock.now
    for _ in 0..<rounds { sink &+= work() }
    let elapsed = start.duration(to: .now)
    if sink == 42 { print("") }  // keeps the work
    return Double(elapsed.components.attoseconds / 1_000_000_000 + elapsed.components.seconds * 1_000_000_000)
        / Double(rounds)
}

for file in arguments {
    let body = Array(FileManager.default.contents(atPath: file) ?? Data())
    let review = try DecodedReview(body: body)
    guard let kind = review.rootKind, let root = review.request.object else {
        FileHandle.standardError.write(Data("\(file): not a review of a root we place\n".utf8))
        exit(2)
    }
    let decision = validator.review(review)
    let steps: [(String, () -> Int)] = [
        ("decode", { (try? DecodedReview(body: body))?.uid.count ?? 0 }),
        ("decide (/validate)", { validator.review(review).allowed ? 1 : 0 }),
        (
            "placement (/mutate)",
            { Placement.decide(root: root, kind: kind, service: { services[$0.name] }).leaves.count }
        ),
        ("encode the answer", { AdmissionReview.answering(review.apiVersion, response: decision).json.bytes.count }),
        (
            "all three (/validate)",
            {
                guard let decoded = try? DecodedReview(body: body) else { return 0 }
                return AdmissionReview.answering(decoded.apiVersion, response: validator.review(decoded)).json.bytes
                    .count
            }
        ),
    ]
    if let only {
        guard let step = steps.first(where: { $0.0.hasPrefix(only) }) else {
            FileHandle.standardError.write(Data("no step \(only)\n".utf8))
            exit(2)
        }
        var sink = 0
        for _ in 0..<rounds { sink &+= step.1() }
        if sink == 42 { print("") }
        continue
    }
    print("\(file): \(body.count) bytes, \(decision.allowed ? "allowed" : "denied")")
    for (step, work) in steps {
        print(
            "  " + step.padding(toLength: 24, withPad: " ", startingAt: 0)
                + String(format: "%8.0f ns", nanoseconds(work)))
    }
}
