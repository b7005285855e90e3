extension Array {
    /// The first index whose element satisfies `belongs`, for an array in
    /// which every element that does comes after every one that does not:
    /// a binary search, for sorted tables kept between changes.
    public func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
