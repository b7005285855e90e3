// One admission review's own work, in process, with no transport: the
// body decoded into a review, the decision, the answer encoded — each step
// timed alone and the whole, in ns per review (what the webhook spends on a
// review besides TLS and HTTP).
//
//     python3 contrib/bench/admission.py DIR
//     swift run -c release admission-review-bench DIR/validate.json [DIR/dryrun.json ...]
import Admission
import Foundation
import KubeAPI
import Placement

let files = CommandLine.arguments.dropFirst()
guard !files.isEmpty else {
    FileHandle.standardError.write(Data("usage: admission-review-bench REVIEW.json...\n".utf8))
    exit(2)
}

// Informer stores as /validate reads them, here empty: the host-claim
// look-up is made and finds no other claim.
let empty = IndexedObjects(get: { _ in nil }, byIndex: { _, _ in [] })
let reader = IndexedPlacementReader(services: empty, roots: [.ingress: empty, .httpRoute: empty, .route: empty])
let validator = Validator(settings: AdmissionSettings(), reader: reader)

func nanoseconds(_ rounds: Int, _ work: () -> Int) -> Double {
    var sink = 0
    for _ in 0..<min(rounds, 1000) { sink &+= work() }  // warm
    let start = ContinuousClock.now
    for _ in 0..<rounds { sink &+= work() }
    let elapsed = start.duration(to: .now)
    if sink == 42 { print("") }  // keeps the work
    return Double(elapsed.components.attoseconds / 1_000_000_000 + elapsed.components.seconds * 1_000_000_000)
        / Double(rounds)
}

for file in files {
    let body = Array(FileManager.default.contents(atPath: file) ?? Data())
    let review = try DecodedReview(body: body)
    let decision = validator.review(review)
    let rounds = 20_000
    print("\(file): \(body.count) bytes, \(decision.allowed ? "allowed" : "denied")")
    let decode = nanoseconds(rounds) { (try? DecodedReview(body: body))?.uid.count ?? 0 }
    let decide = nanoseconds(rounds) { validator.review(review).allowed ? 1 : 0 }
    let encode = nanoseconds(rounds) {
        AdmissionReview.answering(review.apiVersion, response: decision).json.bytes.count
    }
    let whole = nanoseconds(rounds) {
        guard let decoded = try? DecodedReview(body: body) else { return 0 }
        return AdmissionReview.answering(decoded.apiVersion, response: validator.review(decoded)).json.bytes.count
    }
    for (step, ns) in [
        ("decode", decode), ("decide (/validate)", decide), ("encode the answer", encode), ("all three", whole),
    ] {
        print("  " + step.padding(toLength: 22, withPad: " ", startingAt: 0) + String(format: "%8.0f ns", ns))
    }
}
