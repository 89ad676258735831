import Yams

/// Maps Yams' errors to `DataCodecError` with a position and a one-line message.
enum YAMLErrorTranslation {
    static func translate(_ error: any Error, source: String) -> DataCodecError {
        if let error = error as? DataCodecError { return error }
        guard let yamlError = error as? YamlError else {
            return DataCodecError("invalid YAML: \(error)")
        }
        switch yamlError {
        case let .scanner(context, problem, mark, _),
             let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            var text = problem
            if let context {
                text += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            return positioned(text, line: mark.line, column: mark.column)
        case let .reader(problem, offset, _, _):
            guard let offset, let (line, column) = location(ofCharacterOffset: offset, in: source) else {
                return DataCodecError("invalid YAML: \(problem)")
            }
            return positioned(problem, line: line, column: column)
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return positioned("duplicate key \(keys) in mapping", line: context.mark.line, column: context.mark.column)
        default:
            return DataCodecError("YAML error: \(yamlError)")
        }
    }

    private static func positioned(_ problem: String, line: Int, column: Int) -> DataCodecError {
        DataCodecError("invalid YAML at line \(line), column \(column): \(problem)", line: line, column: column)
    }

    /// Yams reports reader errors as a Character offset; convert to 1-based line and scalar column.
    private static func location(ofCharacterOffset offset: Int, in source: String) -> (Int, Int)? {
        guard let index = source.index(source.startIndex, offsetBy: offset, limitedBy: source.endIndex) else {
            return nil
        }
        var line = 1
        var column = 1
        for scalar in source.unicodeScalars[..<index] {
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}
