/// Lets every long flag be written with one dash as well as two, as Go's
/// flag package (which the proof of concept used) accepts: `-webhook-port 9443`
/// and `-webhook-port=9443` mean `--webhook-port 9443`.
enum GoStyleFlags {
    static func normalize<Arguments: Sequence<String>>(_ arguments: Arguments) -> [String] {
        var result: [String] = []
        var passthrough = false
        for argument in arguments {
            if passthrough || argument == "--" {
                passthrough = true
                result.append(argument)
            } else if argument.count > 2, argument.hasPrefix("-"), !argument.hasPrefix("--"),
                argument.dropFirst().first?.isLetter == true
            {
                result.append("-" + argument)
            } else {
                result.append(argument)
            }
        }
        return result
    }
}
