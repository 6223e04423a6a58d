import Foundation
import Harness
@testable import Reports
import TestSupport
import XCTest

/// `report.json` as written validates against `docs/report-schema.json`, and the schema bites.
final class ReportSchemaTests: XCTestCase {
    private func validator() throws -> JSONSchemaValidator {
        let url = FixturePaths.repositoryRoot.appendingPathComponent("docs/report-schema.json")
        let schema = try JSONValue.parse(String(contentsOf: url, encoding: .utf8))
        XCTAssertEqual(schema["$id"], .string(ReportSchema.jsonSchema))
        return JSONSchemaValidator(schema: schema)
    }

    private func writtenJSON(_ report: Report) throws -> JSONValue {
        let folder = ReportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try ReportWriter.write(report, to: folder)
        return try JSONValue.parse(String(contentsOf: folder.appendingPathComponent("report.json"), encoding: .utf8))
    }

    func testWrittenReportsValidate() throws {
        let validator = try validator()
        let full = ReportFixtures.report()
        XCTAssertEqual(validator.validate(try writtenJSON(full)), [])
        let shard = ReportFixtures.report(plan: ReportFixtures.plan().sharded(try Shard(index: 2, count: 3)))
        XCTAssertEqual(validator.validate(try writtenJSON(shard)), [])
        let merged = try Report.merged((1...2).map { ReportFixtures.report(plan: ReportFixtures.plan().sharded(try Shard(index: $0, count: 2))) })
        XCTAssertEqual(validator.validate(try writtenJSON(merged)), [])
        var bare = ReportFixtures.metadata(for: ReportFixtures.plan())
        bare.gitCommit = nil
        bare.finishedAt = nil
        XCTAssertEqual(validator.validate(try writtenJSON(Report(metadata: bare, cells: []))), [])
    }

    func testTheDocumentedFieldsAreTheWrittenOnes() throws {
        let json = try writtenJSON(ReportFixtures.report())
        guard case .array(let cells) = json["cells"] else { return XCTFail("no cells") }
        // Every optional part of a cell appears somewhere in the fixture, so the schema sees it.
        var keys = Set<String>()
        for case .object(let members) in cells { keys.formUnion(members.map(\.0)) }
        XCTAssertEqual(keys, ["model", "path", "verdict", "reasons", "error", "findings", "outputs", "accuracy", "size",
                              "latency", "diagnosis", "weightErrors", "budget", "durationSeconds"])
        XCTAssertEqual(json["schema"], .string("modelgate.report/v1"))
        // Non-finite metrics are written as strings.
        let text = String(decoding: try ReportFixtures.report().jsonData(), as: UTF8.self)
        XCTAssertTrue(text.contains(#""snrDB" : "inf""#), "an identical output has infinite SNR")
    }

    func testSchemaRejectsBrokenReports() throws {
        let validator = try validator()
        let json = try writtenJSON(ReportFixtures.report())
        guard case .object(var top) = json, case .array(var cells) = json["cells"], case .object(var cell) = cells[0] else {
            return XCTFail("unexpected report shape")
        }
        cell.removeAll { $0.0 == "verdict" }
        cell.append(("colour", .string("green")))
        cells[0] = .object(cell)
        top = top.map { $0.0 == "cells" ? ($0.0, .array(cells)) : $0 }
        top = top.map { $0.0 == "schema" ? ($0.0, .string("modelgate.report/v0")) : $0 }
        let errors = validator.validate(.object(top)).map(\.description)
        XCTAssertEqual(Set(errors), [
            #"$.schema: "modelgate.report/v0" is not the constant "modelgate.report/v1""#,
            "$.cells[0]: missing required property 'verdict'",
            "$.cells[0]: property 'colour' is not in the schema",
        ])
    }

    func testValidatorChecksEachKeywordAndRefusesUnknownOnes() throws {
        let schema = try JSONValue.parse(#"""
            {"type": "object", "required": ["n", "s"], "additionalProperties": false,
             "properties": {"n": {"type": "integer", "minimum": 0, "maximum": 9},
                            "s": {"anyOf": [{"type": "number"}, {"enum": ["inf"]}]},
                            "l": {"type": "array", "minItems": 2, "items": {"type": "string", "pattern": "^[a-z]+$"}}}}
            """#)
        let validator = JSONSchemaValidator(schema: schema)
        XCTAssertEqual(validator.validate(try JSONValue.parse(#"{"n": 3, "s": "inf", "l": ["ab", "c"]}"#)), [])
        let errors = validator.validate(try JSONValue.parse(#"{"n": 1.5, "s": "-inf", "l": ["A"], "x": null}"#)).map(\.description)
        XCTAssertEqual(Set(errors), [
            "$.n: expected integer, found 1.5",
            #"$.s: "-inf" matches 0 of the anyOf alternatives"#,
            "$.l: 1 items, fewer than 2",
            "$.l[0]: 'A' does not match ^[a-z]+$",
            "$: property 'x' is not in the schema",
        ])
        XCTAssertEqual(validator.validate(try JSONValue.parse(#"{"n": 10}"#)).map(\.description).sorted(),
                       ["$.n: 10.0 is above the maximum 9.0", "$: missing required property 's'"])
        let unknown = JSONSchemaValidator(schema: try JSONValue.parse(#"{"format": "date-time"}"#))
        XCTAssertEqual(unknown.validate(.string("x")).first?.message, "schema keyword 'format' is not supported by this validator")
    }

    func testJSONParserKeepsTypesApart() throws {
        let value = try JSONValue.parse(#"{"a": [true, 1, 1.5, null, "x\u00e9\"", -2e3]}"#)
        XCTAssertEqual(value["a"], .array([.bool(true), .number(1, isInteger: true), .number(1.5, isInteger: false), .null,
                                           .string("xé\""), .number(-2000, isInteger: true)]))
        XCTAssertThrowsError(try JSONValue.parse("{\"a\": }"))
        XCTAssertThrowsError(try JSONValue.parse("[1] x"))
    }
}
