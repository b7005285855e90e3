import KubeAPI
import Placement
import Testing

@testable import Admission

@Suite("Decoding AdmissionReviews")
struct ReviewDecodingTests {
    @Test("v1 and v1beta1 are read; the uid and the version are kept for the answer")
    func versions() throws {
        for version in ["admission.k8s.io/v1", "admission.k8s.io/v1beta1"] {
            let review = try DecodedReview(body: Reviews.review(apiVersion: version, object: Reviews.ingress))
            #expect(review.apiVersion == version)
            #expect(review.uid == "705ab4f5-6393-11e8-b7cc-42010a800002")
            #expect(review.rootKind == .ingress)
            #expect(review.request.operation == .create)
        }
    }

    @Test(
        "bodies that are not AdmissionReviews: a one-line reason",
        arguments: [
            ("not json", "the body is not JSON"),
            ("[1,2]", "the body is not a JSON object"),
            (#"{"kind":"Pod","apiVersion":"v1"}"#, "kind must be AdmissionReview"),
            (#"{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v2"}"#, "apiVersion must be one of"),
            (#"{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1"}"#, "has no request"),
            (#"{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":""}}"#, "has no uid"),
        ])
    func refused(body: String, reason: String) {
        #expect {
            try DecodedReview(body: Array(body.utf8))
        } throws: { error in
            let text = "\(error)"
            return text.contains(reason) && !text.contains("\n")
        }
    }

    @Test("a kind we do not place is recognised as such")
    func otherKinds() throws {
        let body: JSON = [
            "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": ["uid": "u", "kind": ["group": "", "version": "v1", "kind": "Pod"], "operation": "CREATE"],
        ]
        let review = try DecodedReview(body: body.bytes)
        #expect(review.rootKind == nil)
    }
}
