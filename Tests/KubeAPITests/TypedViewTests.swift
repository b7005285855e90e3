import Testing

@testable import KubeAPI

@Suite("Typed views over objects")
struct TypedViewTests {
    func review() throws -> AdmissionReview {
        AdmissionReview(json: try JSON(parsing: Fixtures.bytes("admissionreview-small.json")))
    }

    @Test("an AdmissionReview's request reads through, object included")
    func admissionRequest() throws {
        let request = try #require(try review().request)
        #expect(request.uid == "705ab4f5-6393-11e8-b7cc-42010a800002")
        #expect(request.operation == .create)
        #expect(request.kind?.kind == "Ingress")
        #expect(request.resource == "ingresses")
        #expect(request.username == "admin")
        #expect(request.groups == ["system:authenticated", "my-admin-group"])
        #expect(request.oldObject == nil)
        #expect(!request.dryRun)

        let ingress = Ingress(json: try #require(request.object))
        #expect(ingress.metadata.name == "shop")
        #expect(ingress.key == "default/shop")
        #expect(ingress.metadata.labels == ["app": "shop", "tier": "frontend"])
        #expect(ingress.hosts == ["shop.kcp-apps.127.0.0.1.nip.io"])
        #expect(ingress.backendServiceNames == ["shop", "api"])
        #expect(ingress.rules.first?.paths.map(\.pathType) == [.prefix, .exact])
        #expect(ingress.rules.first?.paths.last?.backend?.servicePortName == "http")
        #expect(ingress.loadBalancerIngress.map(\.ip) == ["10.0.0.1"])
    }

    @Test("writing through a view changes only what it names; everything else stays byte-identical")
    func writeKeepsUnknownFields() throws {
        let original = try #require(try review().request?.object)
        var ingress = Ingress(json: original)
        ingress.metadata.labels["kcp.dev/cluster"] = "east"
        ingress.metadata.annotations["kcp.dev/clusters"] = "east,west"
        ingress.loadBalancerIngress = [LoadBalancerIngress(hostname: "shop.example.com")]

        let patch = JSONPatch.diff(from: original, to: ingress.json)
        #expect(
            patch.json.text
                == #"[{"op":"add","path":"/metadata/labels/kcp.dev~1cluster","value":"east"},{"op":"add","path":"/metadata/annotations/kcp.dev~1clusters","value":"east,west"},{"op":"remove","path":"/status/loadBalancer/ingress/0/ip"},{"op":"add","path":"/status/loadBalancer/ingress/0/hostname","value":"shop.example.com"}]"#
        )
        // Undo the changes through the views: the bytes are the original ones.
        ingress.metadata.labels["kcp.dev/cluster"] = nil
        ingress.metadata.annotations["kcp.dev/clusters"] = nil
        ingress.loadBalancerIngress = [LoadBalancerIngress(ip: "10.0.0.1")]
        #expect(ingress.json.bytes == original.bytes)
    }

    @Test("one label or annotation set or removed: the others keep their place, a new key goes last")
    func singleEntries() throws {
        var meta = ObjectMeta(
            json: try JSON(parsing: #"{"name":"shop","labels":{"b":"1","a":"2"},"annotations":{"only":"x"}}"#))
        meta.setLabel("b", to: "changed")
        meta.setLabel("c", to: "new")
        meta.setLabel("a", to: nil)
        meta.setAnnotation("only", to: nil)
        meta.setAnnotation("absent", to: nil)
        #expect(meta.json.text == #"{"name":"shop","labels":{"b":"changed","c":"new"}}"#)
        meta.setAnnotation("kcp.dev/owned-by", to: "shop")
        #expect(
            meta.json.text
                == #"{"name":"shop","labels":{"b":"changed","c":"new"},"annotations":{"kcp.dev/owned-by":"shop"}}"#)
    }

    @Test("values Kubernetes may add later are kept, not refused")
    func openEnums() throws {
        let path = HTTPIngressPath(json: try JSON(parsing: #"{"path":"/","pathType":"RegexFuture"}"#))
        #expect(path.pathType == .other("RegexFuture"))
        #expect(path.pathType?.rawValue == "RegexFuture")
        #expect(ConditionStatus(rawValue: "Maybe") == .other("Maybe"))
        #expect(AdmissionOperation(rawValue: "PATCH") == .other("PATCH"))
        #expect(WatchEvent.EventType(rawValue: "BOOKMARK") == .bookmark)
    }

    @Test("HTTPRoute and Route name their Services and hosts")
    func routes() throws {
        let httpRoute = HTTPRoute(
            json: try JSON(
                parsing:
                    #"{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"r","namespace":"n"},"spec":{"hostnames":["a.example.com"],"rules":[{"matches":[{"path":{"type":"Exact","value":"/x"}}],"backendRefs":[{"name":"s1","port":80,"weight":3},{"name":"other","namespace":"elsewhere"},{"kind":"Bucket","group":"storage","name":"b"}]}]}}"#
            ))
        #expect(httpRoute.hostnames == ["a.example.com"])
        #expect(httpRoute.backendServiceNames == ["s1"])
        #expect(httpRoute.rules.first?.backendRefs.first?.weight == 3)
        #expect(httpRoute.rules.first?.backendRefs.dropFirst().first?.weight == 1)
        #expect(httpRoute.rules.first?.matches.first?.pathType == "Exact")

        let route = Route(
            json: try JSON(
                parsing:
                    #"{"apiVersion":"route.openshift.io/v1","kind":"Route","metadata":{"name":"r"},"spec":{"host":"r.example.com","path":"/p","to":{"kind":"Service","name":"main","weight":90},"alternateBackends":[{"kind":"Service","name":"canary","weight":10}]}}"#
            ))
        #expect(route.host == "r.example.com")
        #expect(route.backendServiceNames == ["main", "canary"])
    }

    @Test("a new object of a kind has its apiVersion, kind, name and namespace")
    func newObject() {
        var lease = Lease(name: "kcp-ingress", namespace: "kcp-ingress")
        lease.holderIdentity = "pod-1"
        lease.leaseDurationSeconds = 15
        #expect(
            lease.json.text
                == #"{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"kcp-ingress","namespace":"kcp-ingress"},"spec":{"holderIdentity":"pod-1","leaseDurationSeconds":15}}"#
        )
        #expect(Namespace.type.namespaced == false)
        #expect(Service.type.apiVersion == "v1")
    }

    @Test("responses: allowed with a base64 JSON patch, or denied with a status")
    func admissionResponses() throws {
        let patch = JSONPatch([.add(try JSONPointer("/metadata/annotations"), ["kcp.dev/clusters": "east"])])
        let allowed = AdmissionResponse.allowed(uid: "u1", patch: patch)
        #expect(allowed.allowed)
        #expect(allowed.patchType == "JSONPatch")
        #expect(try allowed.patch() == patch)
        let review = AdmissionReview.answering("admission.k8s.io/v1beta1", response: allowed)
        #expect(review.apiVersion == "admission.k8s.io/v1beta1")
        #expect(review.response?.uid == "u1")

        let denied = AdmissionResponse.denied(
            uid: "u2", code: 403, message: "leaves are managed by kcp-ingress", reason: "Forbidden")
        #expect(
            denied.json.text
                == #"{"uid":"u2","allowed":false,"status":{"code":403,"message":"leaves are managed by kcp-ingress","reason":"Forbidden"}}"#
        )
    }

    @Test("Status errors and watch events")
    func statusAndWatch() throws {
        let status = Status(code: 409, reason: "Conflict", message: "the object has been modified")
        #expect(
            status.json.text
                == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the object has been modified","reason":"Conflict","code":409}"#
        )
        let event = WatchEvent(
            json: try JSON(
                parsing:
                    #"{"type":"MODIFIED","object":{"kind":"Ingress","metadata":{"name":"a","resourceVersion":"7"}}}"#))
        #expect(event.type == .modified)
        #expect(Ingress(json: try #require(event.object)).metadata.resourceVersion == "7")
    }

    @Test(
        "base64 round-trips and refuses what is not base64",
        arguments: ["", "f", "fo", "foo", "foob", "fooba", "foobar"])
    func base64(text: String) {
        let encoded = Base64.encode(Array(text.utf8))
        #expect(Base64.decode(encoded) == Array(text.utf8))
        #expect(Base64.decode(encoded + "!") == nil)
    }

    @Test("base64 matches RFC 4648's vectors")
    func base64Vectors() {
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fooba".utf8)) == "Zm9vYmE=")
        #expect(Base64.encode(Array("foob".utf8)) == "Zm9vYg==")
        #expect(Base64.decode("Zm9v=mFy") == nil)
    }
}
