import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Collects elements and attributes of an XML document, failing on malformed input.
final class XMLCollector: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var text: [String: String] = [:]
    private var current = ""
    private var stack: [String] = []

    static func parse(_ string: String) throws -> XMLCollector {
        let collector = XMLCollector()
        let parser = XMLParser(data: Data(string.utf8))
        parser.delegate = collector
        guard parser.parse() else {
            throw NSError(domain: "xml", code: 1, userInfo: [NSLocalizedDescriptionKey: "line \(parser.lineNumber): \(parser.parserError.map { "\($0)" } ?? "?")"])
        }
        return collector
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.append((name, attributes))
        stack.append(name)
        current = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "failure" || name == "error" { text[name, default: ""] += current + "\u{1}" }
        stack.removeLast()
    }

    func all(_ name: String) -> [[String: String]] { elements.filter { $0.name == name }.map(\.attributes) }
}
