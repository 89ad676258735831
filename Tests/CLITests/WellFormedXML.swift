import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Whether `data` is well-formed XML, as a strict JUnit consumer would require. On Linux,
/// `XMLParser.parse()` and `XMLDocument(data:)` recover from errors (e.g. a raw '<' in an
/// attribute) and still report success; `parserError` tells the truth.
func isWellFormedXML(_ data: Data) -> Bool {
    let parser = XMLParser(data: data)
    return parser.parse() && parser.parserError == nil
}
