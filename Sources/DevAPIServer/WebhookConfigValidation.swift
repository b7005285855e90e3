import Foundation
import KubeAPI

/// Defaulting and validation of Mutating/ValidatingWebhookConfiguration,
/// as kube-apiserver's admissionregistration/v1 defaults and validation
/// do for the fields this server acts on. `matchConditions` are refused:
/// this server has no CEL evaluator, and calling the webhook as if they
/// matched would make a test pass that a real cluster fails.
enum WebhookConfigValidation {
    static func isWebhookConfiguration(_ resource: ServedResource) -> Bool {
        resource.type == MutatingWebhookConfiguration.type || resource.type == ValidatingWebhookConfiguration.type
    }

    /// The v1 defaults: failurePolicy Fail, matchPolicy Equivalent, empty
    /// selectors, timeoutSeconds 10, rule scope `*`, reinvocationPolicy Never.
    static func defaulted(_ object: JSON, mutating: Bool) -> JSON {
        var object = object
        guard var webhooks = object["webhooks"]?.arrayValue else { return object }
        for index in webhooks.indices where webhooks[index].objectValue != nil {
            var webhook = webhooks[index]
            if webhook["failurePolicy"] == nil { webhook["failurePolicy"] = "Fail" }
            if webhook["matchPolicy"] == nil { webhook["matchPolicy"] = "Equivalent" }
            if webhook["namespaceSelector"] == nil { webhook["namespaceSelector"] = .object(JSONObject()) }
            if webhook["objectSelector"] == nil { webhook["objectSelector"] = .object(JSONObject()) }
            if webhook["timeoutSeconds"] == nil { webhook["timeoutSeconds"] = 10 }
            if mutating, webhook["reinvocationPolicy"] == nil { webhook["reinvocationPolicy"] = "Never" }
            if var rules = webhook["rules"]?.arrayValue {
                for rule in rules.indices where rules[rule].objectValue != nil && rules[rule]["scope"] == nil {
                    rules[rule]["scope"] = "*"
                }
                webhook["rules"] = .array(rules)
            }
            webhooks[index] = webhook
        }
        object["webhooks"] = .array(webhooks)
        return object
    }

    /// The problems of a configuration, as (field path, message) pairs.
    static func problems(_ object: JSON, mutating: Bool) -> [(field: String, message: String)] {
        var problems: [(String, String)] = []
        guard let webhooks = object["webhooks"] else { return [] }
        guard let list = webhooks.arrayValue else { return [("webhooks", "Invalid value: must be a list")] }
        var names: Set<String> = []
        for (index, webhook) in list.enumerated() {
            let path = "webhooks[\(index)]"
            guard webhook.objectValue != nil else {
                problems.append((path, "Invalid value: must be an object"))
                continue
            }
            let name = webhook["name"]?.stringValue ?? ""
            if name.isEmpty {
                problems.append(("\(path).name", "Required value"))
            } else if name.split(separator: ".", omittingEmptySubsequences: false).count < 3
                || NameValidation.dns1123SubdomainError(name) != nil
            {
                problems.append(
                    (
                        "\(path).name",
                        "Invalid value: \"\(name)\": should be a domain with at least three segments separated by dots"
                    ))
            } else if !names.insert(name).inserted {
                problems.append(("\(path).name", "Duplicate value: \"\(name)\""))
            }
            problems += clientConfigProblems(webhook["clientConfig"], path: "\(path).clientConfig")
            problems += enumProblem(
                webhook["sideEffects"], path: "\(path).sideEffects", ["None", "NoneOnDryRun"], required: true)
            problems += enumProblem(webhook["failurePolicy"], path: "\(path).failurePolicy", ["Fail", "Ignore"])
            problems += enumProblem(webhook["matchPolicy"], path: "\(path).matchPolicy", ["Equivalent", "Exact"])
            if mutating {
                problems += enumProblem(
                    webhook["reinvocationPolicy"], path: "\(path).reinvocationPolicy", ["IfNeeded", "Never"])
            }
            if let timeout = webhook["timeoutSeconds"], !timeout.isNull {
                if let seconds = timeout.integerValue, (1...30).contains(seconds) {
                } else {
                    problems.append(
                        (
                            "\(path).timeoutSeconds",
                            "Invalid value: \(timeout): the timeout value must be between 1 and 30 seconds"
                        ))
                }
            }
            let versions = (webhook["admissionReviewVersions"]?.arrayValue ?? []).compactMap(\.stringValue)
            if versions.isEmpty {
                problems.append(
                    ("\(path).admissionReviewVersions", "Required value: must specify one of v1, v1beta1"))
            } else if !versions.contains(where: { ["v1", "v1beta1"].contains($0) }) {
                problems.append(
                    (
                        "\(path).admissionReviewVersions",
                        "Invalid value: \(versions): must include at least one of v1, v1beta1"
                    ))
            }
            for field in ["namespaceSelector", "objectSelector"] {
                if let selector = webhook[field], !selector.isNull {
                    do {
                        _ = try LabelSelector(object: selector)
                    } catch {
                        problems.append(("\(path).\(field)", "Invalid value: \(error)"))
                    }
                }
            }
            if let conditions = webhook["matchConditions"], !(conditions.arrayValue?.isEmpty ?? false) {
                problems.append(
                    (
                        "\(path).matchConditions",
                        "Forbidden: matchConditions (CEL) are not supported by the development API server; remove them or test against kube-apiserver"
                    ))
            }
            problems += ruleProblems(webhook["rules"], path: "\(path).rules")
        }
        return problems
    }

    private static func enumProblem(_ value: JSON?, path: String, _ allowed: [String], required: Bool = false)
        -> [(String, String)]
    {
        let supported = allowed.map { "\"\($0)\"" }.joined(separator: ", ")
        guard let value, !value.isNull else {
            return required ? [(path, "Required value: must specify one of \(allowed.joined(separator: ", "))")] : []
        }
        guard let text = value.stringValue, allowed.contains(text) else {
            return [(path, "Unsupported value: \(value): supported values: \(supported)")]
        }
        return []
    }

    private static func clientConfigProblems(_ config: JSON?, path: String) -> [(String, String)] {
        let url = config?["url"]?.stringValue
        let service = config?["service"].flatMap { $0.isNull ? nil : $0 }
        guard (url == nil) != (service == nil) else {
            return [(path, "Required value: exactly one of url or service is required")]
        }
        if service != nil {
            return [("\(path).service", "Forbidden: the development API server calls webhooks by url only")]
        }
        guard let url else { return [] }
        guard let parsed = URLComponents(string: url), let host = parsed.host, !host.isEmpty else {
            return [("\(path).url", "Invalid value: \"\(url)\": host must be specified")]
        }
        var problems: [(String, String)] = []
        if parsed.scheme?.lowercased() != "https" {
            problems.append(("\(path).url", "Invalid value: \"\(url)\": 'https' is the only allowed URL scheme"))
        }
        if parsed.user != nil || parsed.password != nil {
            problems.append(("\(path).url", "Invalid value: \"\(url)\": user information is not permitted in the URL"))
        }
        if parsed.fragment != nil {
            problems.append(("\(path).url", "Invalid value: \"\(url)\": fragments are not permitted in the URL"))
        }
        if parsed.query != nil {
            problems.append(("\(path).url", "Invalid value: \"\(url)\": query parameters are not permitted in the URL"))
        }
        if let bundle = config?["caBundle"], !bundle.isNull {
            if bundle.stringValue.flatMap(Base64.decode) == nil {
                problems.append(("\(path).caBundle", "Invalid value: must be base64"))
            }
        }
        return problems
    }

    private static func ruleProblems(_ rules: JSON?, path: String) -> [(String, String)] {
        var problems: [(String, String)] = []
        for (index, rule) in (rules?.arrayValue ?? []).enumerated() {
            let rulePath = "\(path)[\(index)]"
            for field in ["operations", "apiGroups", "apiVersions", "resources"]
            where (rule[field]?.arrayValue ?? []).isEmpty {
                problems.append(("\(rulePath).\(field)", "Required value"))
            }
            let operations = (rule["operations"]?.arrayValue ?? []).compactMap(\.stringValue)
            for operation in operations where !["*", "CREATE", "UPDATE", "DELETE", "CONNECT"].contains(operation) {
                problems.append(
                    (
                        "\(rulePath).operations",
                        "Unsupported value: \"\(operation)\": supported values: \"*\", \"CONNECT\", \"CREATE\", \"DELETE\", \"UPDATE\""
                    ))
            }
            problems += enumProblem(rule["scope"], path: "\(rulePath).scope", ["*", "Cluster", "Namespaced"])
        }
        return problems
    }
}
