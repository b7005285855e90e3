import KubeAPI
import Testing

@testable import DevAPIServer

/// Kubernetes protobuf bodies to the JSON a Go client would send for the
/// same object, and refusals of anything malformed.
@Suite("Kubernetes protobuf request bodies")
struct ProtobufDecoderTests {
    static func decode(_ body: [UInt8]) throws -> String {
        try KubernetesProtobuf.decode(body).text
    }

    /// What `kubectl create namespace shop` sends: empty spec and status
    /// still present, as Go writes struct fields.
    static let namespace = ProtobufWriter.envelope(apiVersion: "v1", kind: "Namespace") {
        $0.message(1) {
            $0.string(1, "shop")
            $0.message(8) { _ in }  // creationTimestamp: the zero Time
        }
        $0.message(2) { _ in }
        $0.message(3) { _ in }
    }

    @Test(
        "a Namespace: kind and apiVersion from the envelope, zero creationTimestamp left out, empty spec and status kept"
    )
    func namespace() throws {
        #expect(
            try Self.decode(Self.namespace)
                == #"{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"shop"},"spec":{},"status":{}}"#)
    }

    static func ingressRule(_ writer: inout ProtobufWriter, host: String, path: String, port: (Int, Int64?, String?)) {
        writer.message(3) {
            $0.string(1, host)
            $0.message(2) {  // IngressRuleValue, inlined in JSON
                $0.message(1) {  // http
                    $0.message(1) {  // paths[]
                        $0.string(1, path)
                        $0.string(3, "Exact")
                        $0.message(2) {  // backend
                            $0.message(4) {  // service
                                $0.string(1, "web")
                                $0.message(2) {
                                    if let name = port.2 { $0.string(1, name) }
                                    if let number = port.1 { $0.int(2, number) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test("an Ingress as kubectl create ingress sends it: inlined rule value, pathType, port number or name")
    func ingress() throws {
        let body = ProtobufWriter.envelope(apiVersion: "networking.k8s.io/v1", kind: "Ingress") {
            $0.message(1) { $0.string(1, "web") }
            $0.message(2) {
                Self.ingressRule(&$0, host: "web.example.com", path: "/", port: (0, 80, nil))
                Self.ingressRule(&$0, host: "", path: "/api", port: (0, nil, "http"))
                $0.message(2) {  // tls
                    $0.string(1, "web.example.com")
                    $0.string(2, "cert")
                }
                $0.string(4, "nginx")
            }
            $0.message(3) { $0.message(1) { _ in } }
        }
        let rule =
            #"{"host":"web.example.com","http":{"paths":[{"path":"/","pathType":"Exact","backend":{"service":{"name":"web","port":{"number":80}}}}]}}"#
        let named =
            #"{"http":{"paths":[{"path":"/api","pathType":"Exact","backend":{"service":{"name":"web","port":{"name":"http"}}}}]}}"#
        #expect(
            try Self.decode(body)
                == #"{"kind":"Ingress","apiVersion":"networking.k8s.io/v1","metadata":{"name":"web"},"spec":{"ingressClassName":"nginx","tls":[{"hosts":["web.example.com"],"secretName":"cert"}],"rules":["#
                + rule + "," + named + #"]},"status":{"loadBalancer":{}}}"#)
    }

    @Test("a Service: ports with int-or-string target ports, port 0 kept, selector keys sorted, labels as a map")
    func service() throws {
        let body = ProtobufWriter.envelope(apiVersion: "v1", kind: "Service") {
            $0.message(1) {
                $0.string(1, "web")
                $0.mapEntry(11, "z", "1")
                $0.mapEntry(11, "app", "web")
            }
            $0.message(2) {
                $0.message(1) {
                    $0.string(1, "80-8080")
                    $0.string(2, "TCP")
                    $0.int(3, 80)
                    $0.message(4) { $0.int(2, 8080) }
                }
                $0.message(1) {
                    $0.string(2, "TCP")
                    $0.message(4) {
                        $0.int(1, 1)
                        $0.string(3, "https")
                    }
                }
                $0.mapEntry(2, "b", "2")
                $0.mapEntry(2, "a", "1")
                $0.string(4, "ClusterIP")
            }
            $0.message(3) { $0.message(1) { _ in } }
        }
        #expect(
            try Self.decode(body)
                == #"{"kind":"Service","apiVersion":"v1","metadata":{"name":"web","labels":{"app":"web","z":"1"}},"spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080},{"protocol":"TCP","port":0,"targetPort":"https"}],"selector":{"a":"1","b":"2"},"type":"ClusterIP"},"status":{"loadBalancer":{}}}"#
        )
    }

    @Test("Lease times: MicroTime with microseconds, negative nanos normalised, Time to the second, zero as null")
    func times() throws {
        let body = ProtobufWriter.envelope(apiVersion: "coordination.k8s.io/v1", kind: "Lease") {
            $0.message(1) {
                $0.string(1, "leader")
                $0.message(8) {
                    $0.int(1, 1_700_000_000)
                    $0.int(2, 999)  // metav1.Time drops nanos
                }
                $0.message(9) { $0.int(1, KubernetesTime.zeroSeconds) }
            }
            $0.message(2) {
                $0.string(1, "a")
                $0.int(2, 15)
                $0.message(3) {
                    $0.int(1, 1_700_000_000)
                    $0.int(2, 123_456_789)
                }
                $0.message(4) {
                    $0.int(1, 1_700_000_001)
                    $0.int(2, -1000)
                }
                $0.int(5, 0)
            }
        }
        #expect(
            try Self.decode(body)
                == #"{"kind":"Lease","apiVersion":"coordination.k8s.io/v1","metadata":{"name":"leader","creationTimestamp":"2023-11-14T22:13:20Z","deletionTimestamp":null},"spec":{"holderIdentity":"a","leaseDurationSeconds":15,"acquireTime":"2023-11-14T22:13:20.123456Z","renewTime":"2023-11-14T22:13:20.999999Z","leaseTransitions":0}}"#
        )
    }

    @Test("a webhook configuration: caBundle as base64, sideEffects null when absent, admissionReviewVersions null")
    func webhookConfiguration() throws {
        let body = ProtobufWriter.envelope(
            apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingWebhookConfiguration"
        ) {
            $0.message(1) { $0.string(1, "hooks") }
            $0.message(2) {
                $0.string(1, "a.example.com")
                $0.message(2) {
                    $0.string(3, "https://127.0.0.1/validate")
                    $0.bytes(2, [1, 2, 3])
                }
                $0.message(3) {
                    $0.string(1, "CREATE")
                    $0.message(2) {
                        $0.string(1, "")
                        $0.string(3, "services")
                    }
                }
                $0.int(7, 5)
            }
        }
        #expect(
            try Self.decode(body)
                == #"{"kind":"ValidatingWebhookConfiguration","apiVersion":"admissionregistration.k8s.io/v1","metadata":{"name":"hooks"},"webhooks":[{"name":"a.example.com","clientConfig":{"url":"https://127.0.0.1/validate","caBundle":"AQID"},"rules":[{"operations":["CREATE"],"apiGroups":[""],"resources":["services"]}],"sideEffects":null,"timeoutSeconds":5,"admissionReviewVersions":null}]}"#
        )
    }

    @Test("DeleteOptions, with any apiVersion: preconditions, propagation policy and dryRun")
    func deleteOptions() throws {
        let body = ProtobufWriter.envelope(apiVersion: "meta.k8s.io/v1", kind: "DeleteOptions") {
            $0.int(1, 0)
            $0.message(2) { $0.string(2, "42") }
            $0.string(4, "Foreground")
            $0.string(5, "All")
        }
        #expect(
            try Self.decode(body)
                == #"{"kind":"DeleteOptions","apiVersion":"meta.k8s.io/v1","gracePeriodSeconds":0,"preconditions":{"resourceVersion":"42"},"propagationPolicy":"Foreground","dryRun":["All"]}"#
        )
    }

    @Test("a repeated message field merges and a repeated scalar keeps the last value, as protobuf says")
    func mergeAndLastWins() throws {
        let body = ProtobufWriter.envelope(apiVersion: "v1", kind: "Namespace") {
            $0.message(1) {
                $0.string(1, "first")
                $0.string(1, "shop")
            }
            $0.message(1) { $0.mapEntry(11, "a", "b") }
            $0.int(99, 7)  // unknown field: skipped
        }
        #expect(
            try Self.decode(body)
                == #"{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"shop","labels":{"a":"b"}},"spec":{},"status":{}}"#
        )
    }

    @Test("every truncation of a body is refused as malformed or decodes, and a cut inside the object always fails")
    func truncations() throws {
        let service: (inout ProtobufWriter) -> Void = {
            $0.message(1) { $0.string(1, "web") }
            $0.message(2) { $0.message(1) { $0.int(3, 80) } }
        }
        var object = ProtobufWriter()
        service(&object)
        let body = ProtobufWriter.envelope(apiVersion: "v1", kind: "Service", service)
        // The object is the envelope's last field: its bytes end the body.
        let rawStart = body.count - object.bytes.count
        for cut in 0..<body.count {
            do {
                _ = try KubernetesProtobuf.decode(Array(body.prefix(cut)))
                #expect(cut < rawStart, "a cut at \(cut) inside the object decoded")
            } catch .malformed {
            } catch {
                #expect(cut < rawStart, "a cut at \(cut): \(error)")
            }
        }
    }

    @Test("garbage: wrong prefix, overlong varint, group wire type, wrong wire type, bad UTF-8, lengths past the end")
    func garbage() {
        let prefix: [UInt8] = [0x6B, 0x38, 0x73, 0x00]
        let bodies: [[UInt8]] = [
            [], Array("{\"kind\":\"Namespace\"}".utf8), prefix + [0x08] + Array(repeating: 0xFF, count: 11),
            prefix + [0x0B], prefix + [0x0A, 0x7F, 0x01],
            ProtobufWriter.envelope(apiVersion: "v1", kind: "Namespace") { $0.int(1, 5) },
            ProtobufWriter.envelope(apiVersion: "v1", kind: "Namespace") {
                $0.message(1) { $0.bytes(1, [0xC3, 0x28]) }
            },
            ProtobufWriter.envelope(apiVersion: "v1", kind: "Namespace") { $0.message(1) { $0.key(1, 7) } },
        ]
        for body in bodies {
            do {
                let decoded = try KubernetesProtobuf.decode(body)
                Issue.record("\(body) decoded to \(decoded.text)")
            } catch {
                guard case .malformed = error else {
                    Issue.record("\(body) was refused as \(error), not as malformed")
                    continue
                }
            }
        }
    }

    @Test("many empty messages, which Go would fill with zero values, are refused before they outgrow the body")
    func amplification() throws {
        let spam = ProtobufWriter.envelope(
            apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration"
        ) {
            for _ in 0..<10_000 { $0.message(2) { _ in } }
        }
        #expect(throws: KubernetesProtobuf.Failure.self) { try KubernetesProtobuf.decode(spam) }
        let few = ProtobufWriter.envelope(
            apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration"
        ) {
            for _ in 0..<100 { $0.message(2) { _ in } }
        }
        let decoded = try KubernetesProtobuf.decode(few)
        #expect(decoded["webhooks"]?.arrayValue?.count == 100)
    }

    @Test("a kind without a protobuf form here (a custom resource) or a compressed body is unsupported, not malformed")
    func unsupported() {
        let route = ProtobufWriter.envelope(apiVersion: "route.openshift.io/v1", kind: "Route") { _ in }
        #expect(
            throws: KubernetesProtobuf.Failure.unsupported(
                "no protobuf form of Route in route.openshift.io/v1 is served")
        ) {
            try KubernetesProtobuf.decode(route)
        }
        var gzip = ProtobufWriter()
        gzip.string(3, "gzip")
        #expect(throws: KubernetesProtobuf.Failure.unsupported("content encoding gzip is not supported")) {
            try KubernetesProtobuf.decode([0x6B, 0x38, 0x73, 0x00] + gzip.bytes)
        }
    }
}
