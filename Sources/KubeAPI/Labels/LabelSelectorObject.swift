extension LabelSelector {
    /// Reads a `metav1.LabelSelector` object (`matchLabels` and
    /// `matchExpressions` with In, NotIn, Exists, DoesNotExist), as webhook
    /// `objectSelector` and `namespaceSelector` hold it. An empty object
    /// selects everything.
    public init(object json: JSON) throws(LabelSelectorError) {
        guard case .object(let object) = json else { throw LabelSelectorError("a label selector must be an object") }
        var requirements: [LabelRequirement] = []
        if let matchLabels = object["matchLabels"] {
            guard case .object(let labels) = matchLabels else {
                throw LabelSelectorError("matchLabels must be an object")
            }
            for (key, value) in labels {
                guard case .string(let text) = value else {
                    throw LabelSelectorError("matchLabels[\(key)] must be a string")
                }
                requirements.append(try LabelRequirement(key: key, operator: .equals, values: [text]))
            }
        }
        if let expressions = object["matchExpressions"] {
            guard case .array(let elements) = expressions else {
                throw LabelSelectorError("matchExpressions must be a list")
            }
            for element in elements {
                guard case .string(let key)? = element["key"], case .string(let op)? = element["operator"] else {
                    throw LabelSelectorError("each matchExpression needs a key and an operator")
                }
                let values = (element["values"]?.arrayValue ?? []).compactMap(\.stringValue)
                let mapped: LabelRequirement.Operator
                switch op {
                case "In": mapped = .in
                case "NotIn": mapped = .notIn
                case "Exists": mapped = .exists
                case "DoesNotExist": mapped = .doesNotExist
                default: throw LabelSelectorError("\"\(op)\" is not a valid label selector operator")
                }
                requirements.append(try LabelRequirement(key: key, operator: mapped, values: values))
            }
        }
        self.init(requirements)
    }
}
