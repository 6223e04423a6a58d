import Foundation

/// Reading and writing `report.json`.
extension Report {
    /// Sorted keys, two-space indentation, non-finite numbers as `"inf"`, `"-inf"`, `"nan"`.
    public func jsonData() throws(ReportError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            var data = try encoder.encode(self)
            data.append(UInt8(ascii: "\n"))
            return data
        } catch {
            throw .encoding(String(describing: error))
        }
    }

    /// Decodes a report, checking its `schema` first.
    ///
    /// - Parameter file: the name used in error messages.
    /// - Throws: `ReportError.unsupportedSchema` or `.malformed`.
    public static func decode(_ data: Data, file: String) throws(ReportError) -> Report {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw .malformed(file: file, reason: "not JSON (\(error.localizedDescription))")
        }
        guard let schema = (object as? [String: Any])?["schema"] as? String else {
            throw .malformed(file: file, reason: "no \"schema\" field; ModelGate reports have \"schema\": \"\(ReportSchema.jsonSchema)\"")
        }
        guard schema == ReportSchema.jsonSchema else {
            throw .unsupportedSchema(file: file, schema: schema)
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try decoder.decode(Report.self, from: data)
        } catch let error as DecodingError {
            throw .malformed(file: file, reason: Self.describe(error))
        } catch {
            throw .malformed(file: file, reason: String(describing: error))
        }
    }

    /// Reads `report.json` (or a folder holding one).
    public static func load(_ url: URL) throws(ReportError) -> Report {
        var file = url
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            file = url.appendingPathComponent(ReportWriter.jsonFileName)
        }
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw .unreadable(file: file.path, reason: FileManager.default.fileExists(atPath: file.path) ? error.localizedDescription : "no such file")
        }
        return try decode(data, file: file.path)
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "the top level" : String(keys.drop { $0 == "." })
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field '\(key.stringValue)' at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(context.debugDescription) at \(path(context))"
        @unknown default: return String(describing: error)
        }
    }
}
