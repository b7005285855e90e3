extension Array {
    /// Envoy takes the first route whose match holds, so routes are listed
    /// most specific first: each kind ranks its matches with a key, and
    /// this orders them highest key first, equal keys in the order the
    /// object wrote them (the standard sort does not promise stability).
    func sortedByPrecedence<Key: Comparable>(_ key: (Element) -> Key) -> [Element] {
        enumerated()
            .map { (key: key($0.element), offset: $0.offset, element: $0.element) }
            .sorted { $0.key != $1.key ? $0.key > $1.key : $0.offset < $1.offset }
            .map(\.element)
    }
}
