import KubeAPI

/// The fields that the Go types of the served kinds declare as integers,
/// checked as Go's decoder checks them: a number with a fraction or an
/// exponent, or one outside the field's width, is a bad request (400), for
/// a client that reads the object into those types could not decode it.
enum IntegerFields {
    /// A path of member names, `*` for every element of an array, and the
    /// field's width in bits. IntOrString fields (`targetPort`) are integers
    /// when they are numbers.
    private static let fields: [String: [(path: [String], bits: Int)]] = [
        "Service": [
            (["spec", "ports", "*", "port"], 32), (["spec", "ports", "*", "nodePort"], 32),
            (["spec", "ports", "*", "targetPort"], 32),
            (["spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds"], 32),
        ],
        "Ingress": [
            (["spec", "defaultBackend", "service", "port", "number"], 32),
            (["spec", "rules", "*", "http", "paths", "*", "backend", "service", "port", "number"], 32),
        ],
        "HTTPRoute": [
            (["spec", "parentRefs", "*", "port"], 32), (["spec", "rules", "*", "backendRefs", "*", "port"], 32),
            (["spec", "rules", "*", "backendRefs", "*", "weight"], 32),
        ],
        "Route": [
            (["spec", "port", "targetPort"], 32), (["spec", "to", "weight"], 32),
            (["spec", "alternateBackends", "*", "weight"], 32),
        ],
        "Lease": [(["spec", "leaseDurationSeconds"], 32), (["spec", "leaseTransitions"], 32)],
        "MutatingWebhookConfiguration": [
            (["webhooks", "*", "timeoutSeconds"], 32), (["webhooks", "*", "clientConfig", "service", "port"], 32),
        ],
        "ValidatingWebhookConfiguration": [
            (["webhooks", "*", "timeoutSeconds"], 32), (["webhooks", "*", "clientConfig", "service", "port"], 32),
        ],
    ]

    private static let common: [(path: [String], bits: Int)] = [
        (["metadata", "generation"], 64), (["metadata", "deletionGracePeriodSeconds"], 64),
    ]

    static func check(_ object: JSON, kind: String) throws(APIError) {
        for field in common + (fields[kind] ?? []) {
            try check(object, path: field.path[...], bits: field.bits, at: field.path.first ?? "")
        }
    }

    private static func check(_ value: JSON, path: ArraySlice<String>, bits: Int, at name: String) throws(APIError) {
        guard let token = path.first else {
            try checkValue(value, bits: bits, name: name)
            return
        }
        let rest = path.dropFirst()
        if token == "*" {
            for (index, element) in (value.arrayValue ?? []).enumerated() {
                try check(element, path: rest, bits: bits, at: "\(name)[\(index)]")
            }
        } else if let child = value[token] {
            try check(child, path: rest, bits: bits, at: name == token ? name : "\(name).\(token)")
        }
    }

    private static func checkValue(_ value: JSON, bits: Int, name: String) throws(APIError) {
        let range: ClosedRange<Int64> = bits == 32 ? Int64(Int32.min)...Int64(Int32.max) : Int64.min...Int64.max
        switch value {
        case .integer(let number) where range.contains(number): return
        case .integer, .number:
            throw APIError.badRequest(
                "\(name): cannot unmarshal number \(value.text) into a Go value of type int\(bits)")
        default:
            return
        }
    }
}
