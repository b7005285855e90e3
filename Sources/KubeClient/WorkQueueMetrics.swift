import Metrics

/// client-go's work queue metrics, by queue name.
struct WorkQueueMetrics: Sendable {
    private let depthGauge: Gauge
    private let adds: Counter
    private let retries: Counter

    init(name: String, factory: any MetricsFactory = MetricsSystem.factory) {
        depthGauge = Gauge(label: "workqueue_depth", dimensions: [("name", name)], factory: factory)
        adds = Counter(label: "workqueue_adds_total", dimensions: [("name", name)], factory: factory)
        retries = Counter(label: "workqueue_retries_total", dimensions: [("name", name)], factory: factory)
    }

    func added() { adds.increment() }
    func retried() { retries.increment() }
    func depth(_ count: Int) { depthGauge.record(count) }
}
