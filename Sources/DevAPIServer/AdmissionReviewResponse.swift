import KubeAPI

/// A webhook's answer, checked as kube-apiserver's
/// `VerifyAdmissionResponse` checks it: a v1 review must echo the kind,
/// version and uid and pair `patch` with `patchType`; a v1beta1 review is
/// taken as older servers took it (no uid or patchType check, a patch is a
/// JSON Patch). Only JSON Patch is applied.
struct AdmissionVerdict {
    var allowed: Bool
    var patch: JSONPatch?
    var warnings: [String]
    /// The denial's `status` (metav1.Status), when not allowed.
    var result: JSON?

    init(review: JSON, apiVersion: String, uid: String, mutating: Bool) throws(WebhookFailure) {
        guard let response = review["response"], response.objectValue != nil else {
            throw WebhookFailure("received invalid webhook response: webhook response was absent")
        }
        let answer = AdmissionResponse(json: response)
        var patchType: String?
        if apiVersion == "admission.k8s.io/v1" {
            guard answer.uid == uid else {
                throw WebhookFailure(
                    "received invalid webhook response: expected response.uid=\"\(uid)\", got \"\(answer.uid ?? "")\"")
            }
            let kind = review["kind"]?.stringValue ?? ""
            let version = review["apiVersion"]?.stringValue ?? ""
            guard kind == "AdmissionReview", version == apiVersion else {
                throw WebhookFailure(
                    "received invalid webhook response: expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got \(version), Kind=\(kind)"
                )
            }
            let hasPatch = !(response["patch"]?.stringValue ?? "").isEmpty
            let hasType = !(response["patchType"]?.isNull ?? true)
            if mutating {
                if hasPatch && !hasType {
                    throw WebhookFailure(
                        "received invalid webhook response: webhook returned response.patch but not response.patchType")
                }
                if !hasPatch && hasType {
                    throw WebhookFailure(
                        "received invalid webhook response: webhook returned response.patchType but not response.patch")
                }
                if hasType {
                    patchType = answer.patchType ?? ""
                    if patchType == "" {
                        throw WebhookFailure(
                            "received invalid webhook response: webhook returned invalid response.patchType of \"\"")
                    }
                }
            } else {
                if hasPatch {
                    throw WebhookFailure(
                        "received invalid webhook response: validating webhook may not return response.patch")
                }
                if hasType {
                    throw WebhookFailure(
                        "received invalid webhook response: validating webhook may not return response.patchType")
                }
            }
        } else if mutating, !(response["patch"]?.stringValue ?? "").isEmpty {
            patchType = "JSONPatch"
        }
        allowed = answer.allowed
        warnings = (response["warnings"]?.arrayValue ?? []).compactMap(\.stringValue)
        result = response["status"]
        patch = nil
        // A denial is reported before its patch is looked at.
        guard allowed, let patchType else { return }
        guard patchType == "JSONPatch" else {
            throw WebhookFailure("unsupported patch type \"\(patchType)\"")
        }
        do {
            patch = try answer.patch()
        } catch {
            throw WebhookFailure("received undecodable patch in webhook response: \(error.message)")
        }
    }

    /// The denial as kube-apiserver's `ToStatusErr` words it: a code below
    /// 400 becomes 400; the message falls back to the reason, then to
    /// "without explanation".
    static func denial(webhook name: String, result: JSON?) -> APIError {
        let deniedBy = "admission webhook \"\(name)\" denied the request"
        let code = result?["code"]?.integerValue ?? 0
        let message = result?["message"]?.stringValue ?? ""
        let reason = result?["reason"]?.stringValue ?? ""
        let text: String
        if !message.isEmpty {
            text = "\(deniedBy): \(message)"
        } else if !reason.isEmpty {
            text = "\(deniedBy): \(reason)"
        } else {
            text = "\(deniedBy) without explanation"
        }
        return APIError.denied(
            code: code < 400 ? 400 : code, reason: reason.isEmpty ? nil : reason, message: text,
            details: result?["details"])
    }
}
