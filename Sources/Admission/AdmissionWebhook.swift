public import HTTPServer
import KubeAPI
public import Logging
import Metrics
import NIOCore
import NIOHTTP1

/// The webhook's HTTP side: `POST /mutate` and `POST /validate`, each a
/// decode, a decision, an answer in the request's AdmissionReview version,
/// with controller-runtime's metrics and one log line per refusal.
///
/// A client's bad input gets 400 with a one-line reason, never a 500; every
/// decision, a refusal included, is an AdmissionReview with HTTP 200.
public struct AdmissionWebhook: Sendable {
    public let validator: Validator
    public let mutator: Mutator
    let logger: Logger

    public init(validator: Validator, mutator: Mutator, logger: Logger) {
        self.validator = validator
        self.mutator = mutator
        self.logger = logger
    }

    public var routes: Router {
        var router = Router()
        let mutator = mutator
        let validator = validator
        // Metric handles are made once: looking them up in the registry per
        // request costs more than answering the review.
        let mutateMetrics = WebhookMetrics(webhook: "/mutate")
        let validateMetrics = WebhookMetrics(webhook: "/validate")
        router.add(.POST, "/mutate") { request in
            await handle(request, metrics: mutateMetrics) { await mutator.review($0) }
        }
        // Validation reads only the informers' stores: answered without a task.
        router.addSync(.POST, "/validate") { request in
            handleNow(request, metrics: validateMetrics) { validator.review($0) }
        }
        return router
    }

    private func handle(
        _ request: HTTPRequest, metrics: WebhookMetrics, decide: (DecodedReview) async -> AdmissionResponse
    ) async -> HTTPResponse {
        let start = metrics.started()
        defer { metrics.ended(start) }
        switch decode(request, metrics: metrics) {
        case .failure(let refusal): return refusal.response
        case .success(let review): return answer(review, with: await decide(review), metrics: metrics)
        }
    }

    /// `handle` for a decision that never waits.
    private func handleNow(
        _ request: HTTPRequest, metrics: WebhookMetrics, decide: (DecodedReview) -> AdmissionResponse
    ) -> HTTPResponse {
        let start = metrics.started()
        defer { metrics.ended(start) }
        switch decode(request, metrics: metrics) {
        case .failure(let refusal): return refusal.response
        case .success(let review): return answer(review, with: decide(review), metrics: metrics)
        }
    }

    /// A body that is not an AdmissionReview, answered 400.
    private struct BadReview: Error {
        var response: HTTPResponse
    }

    private func decode(_ request: HTTPRequest, metrics: WebhookMetrics) -> Result<DecodedReview, BadReview> {
        var body = request.body
        let bytes = body.readBytes(length: body.readableBytes) ?? []
        do {
            return .success(try DecodedReview(body: bytes))
        } catch {
            metrics.badRequests.increment()
            logger.notice(
                "bad admission request", metadata: ["webhook": "\(metrics.webhook)", "reason": "\(error)"])
            return .failure(BadReview(response: .text(.badRequest, "bad AdmissionReview: \(error)\n")))
        }
    }

    private func answer(_ review: DecodedReview, with response: AdmissionResponse, metrics: WebhookMetrics)
        -> HTTPResponse
    {
        let webhook = metrics.webhook
        metrics.answered.increment()
        if !response.allowed { logRefusal(review, response, webhook: webhook) }
        logger.debug(
            "admission review answered",
            metadata: [
                "webhook": "\(webhook)", "uid": "\(review.uid)", "kind": "\(review.request.kind?.kind ?? "")",
                "object": "\(review.request.namespace ?? "")/\(review.request.name ?? "")",
                "operation": "\(review.request.operation?.rawValue ?? "")", "dryRun": "\(review.request.dryRun)",
                "allowed": "\(response.allowed)", "warnings": "\(response.json["warnings"]?.arrayValue?.count ?? 0)",
            ])
        let answer = AdmissionReview.answering(review.apiVersion, response: response)
        return .bytes(.ok, contentType: "application/json", ByteBuffer(bytes: answer.json.bytes))
    }

    private func logRefusal(_ review: DecodedReview, _ response: AdmissionResponse, webhook: String) {
        let request = review.request
        logger.info(
            "admission refused",
            metadata: [
                "webhook": "\(webhook)", "uid": "\(review.uid)", "kind": "\(request.kind?.kind ?? "")",
                "object": "\(request.namespace ?? "")/\(request.name ?? "")",
                "operation": "\(request.operation?.rawValue ?? "")", "code": "\(response.code ?? 0)",
                "reason": "\(response.message ?? "")",
            ])
    }
}

/// controller-runtime's webhook metrics, by webhook path. Every answer is
/// HTTP 200 (an AdmissionReview) except a body that is not one (400).
struct WebhookMetrics: Sendable {
    let webhook: String
    let inFlight: Meter
    let latency: Metrics.Timer
    let answered: Counter
    let badRequests: Counter

    /// Counts a review in flight; `ended` with what this returns.
    func started() -> ContinuousClock.Instant {
        inFlight.increment()
        return .now
    }

    func ended(_ start: ContinuousClock.Instant) {
        inFlight.decrement()
        latency.record(duration: start.duration(to: .now))
    }

    init(webhook: String) {
        self.webhook = webhook
        inFlight = Meter(label: "controller_runtime_webhook_requests_in_flight", dimensions: [("webhook", webhook)])
        latency = Metrics.Timer(
            label: "controller_runtime_webhook_latency_seconds", dimensions: [("webhook", webhook)],
            preferredDisplayUnit: .seconds)
        answered = Counter(
            label: "controller_runtime_webhook_requests_total", dimensions: [("webhook", webhook), ("code", "200")])
        badRequests = Counter(
            label: "controller_runtime_webhook_requests_total", dimensions: [("webhook", webhook), ("code", "400")])
    }
}
