/// A label selector in Kubernetes' string syntax, as `kubectl -l` and the
/// `labelSelector` query parameter take it: comma-joined requirements, all
/// of which must hold.
public struct LabelSelector: Hashable, Sendable, CustomStringConvertible {
    /// In canonical order: by key, then operator.
    public private(set) var requirements: [LabelRequirement]

    public init(_ requirements: [LabelRequirement] = []) {
        self.requirements = requirements.sorted { ($0.key, $0.operator.rawValue) < ($1.key, $1.operator.rawValue) }
    }

    /// Matches everything.
    public static let everything = LabelSelector()

    public var isEverything: Bool { requirements.isEmpty }

    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    /// Canonical text: requirements sorted by key (then operator), set
    /// values sorted, as apimachinery prints selectors.
    public var description: String {
        requirements.map(\.description).joined(separator: ",")
    }
}

/// One requirement of a selector.
public struct LabelRequirement: Hashable, Sendable, CustomStringConvertible {
    public enum Operator: String, Hashable, Sendable {
        case equals = "="
        case notEquals = "!="
        case `in` = "in"
        case notIn = "notin"
        case exists = "exists"
        case doesNotExist = "!"
        case greaterThan = "gt"
        case lessThan = "lt"
    }

    public var key: String
    public var `operator`: Operator
    /// Sorted and without duplicates.
    public private(set) var values: [String]

    /// Validates the key and values as apimachinery does.
    public init(key: String, operator: Operator, values: [String] = []) throws(LabelSelectorError) {
        if let problem = NameValidation.labelKeyError(key) {
            throw LabelSelectorError("invalid label key \"\(key)\": \(problem)")
        }
        let unique = Array(Set(values)).sorted()
        switch `operator` {
        case .in, .notIn:
            guard !unique.isEmpty else {
                throw LabelSelectorError("for 'in', 'notin' operators, values set can't be empty")
            }
        case .equals, .notEquals:
            guard unique.count == 1 else {
                throw LabelSelectorError("exact-match compatibility requires one single value")
            }
        case .exists, .doesNotExist:
            guard unique.isEmpty else {
                throw LabelSelectorError("values set must be empty for exists and does not exist")
            }
        case .greaterThan, .lessThan:
            guard unique.count == 1, Int64(unique[0]) != nil else {
                throw LabelSelectorError(
                    "for 'Gt', 'Lt' operators, exactly one value is required and it must be an integer")
            }
        }
        if `operator` != .greaterThan, `operator` != .lessThan {
            for value in unique {
                if let problem = NameValidation.labelValueError(value) {
                    throw LabelSelectorError("invalid label value \"\(value)\": \(problem)")
                }
            }
        }
        self.key = key
        self.operator = `operator`
        self.values = unique
    }

    public func matches(_ labels: [String: String]) -> Bool {
        let value = labels[key]
        switch `operator` {
        case .equals, .in: return value.map(values.contains) ?? false
        case .notEquals, .notIn: return value.map { !values.contains($0) } ?? true
        case .exists: return value != nil
        case .doesNotExist: return value == nil
        case .greaterThan, .lessThan:
            guard let value, let actual = Int64(value), let bound = Int64(values[0]) else { return false }
            return `operator` == .greaterThan ? actual > bound : actual < bound
        }
    }

    public var description: String {
        switch `operator` {
        case .equals: "\(key)=\(values[0])"
        case .notEquals: "\(key)!=\(values[0])"
        case .in: "\(key) in (\(values.joined(separator: ",")))"
        case .notIn: "\(key) notin (\(values.joined(separator: ",")))"
        case .exists: key
        case .doesNotExist: "!\(key)"
        case .greaterThan: "\(key)>\(values[0])"
        case .lessThan: "\(key)<\(values[0])"
        }
    }
}

public struct LabelSelectorError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
