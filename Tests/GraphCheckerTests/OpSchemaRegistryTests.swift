import GraphChecker
import ModelIR
import XCTest

/// The generated schema table, against facts of the onnx 1.23.2 release it was generated from.
final class OpSchemaRegistryTests: XCTestCase {
    let registry = OpSchemaRegistry.standard

    func testLooksUpTheNewestVersionNotAboveTheOpset() throws {
        XCTAssertEqual(registry.allVersions(of: "Conv", domain: "").map(\.sinceVersion), [1, 11, 22])
        XCTAssertEqual(registry.schema("Conv", domain: "", opsetVersion: 13)?.sinceVersion, 11)
        XCTAssertEqual(registry.schema("Conv", domain: "ai.onnx", opsetVersion: 28)?.sinceVersion, 22)
        XCTAssertNil(registry.schema("Gelu", domain: "", opsetVersion: 19))
        XCTAssertEqual(registry.schema("Gelu", domain: "", opsetVersion: 20)?.sinceVersion, 20)
        XCTAssertNil(registry.schema("Conv", domain: "com.example", opsetVersion: 1))
        XCTAssertEqual(registry.latestVersions[""], 28)
        XCTAssertEqual(registry.latestVersions["ai.onnx.ml"], 5)
    }

    func testArityAttributesAndTypeConstraints() throws {
        let conv = try XCTUnwrap(registry.schema("Conv", domain: "", opsetVersion: 11))
        XCTAssertEqual(conv.inputs.map(\.name), ["X", "W", "B"])
        XCTAssertEqual(conv.inputs.map(\.arity), [.single, .single, .optional])
        XCTAssertEqual([conv.minInputs, conv.maxInputs, conv.minOutputs, conv.maxOutputs], [2, 3, 1, 1])
        XCTAssertEqual(conv.attributes["group"]?.kindName, "INT")
        XCTAssertEqual(conv.attributes["group"]?.defaultValue, .int(1))
        XCTAssertEqual(conv.attributes["auto_pad"]?.defaultValue, .string(Array("NOTSET".utf8)))
        XCTAssertEqual(conv.attributes["kernel_shape"]?.kindName, "INTS")
        XCTAssertEqual(conv.typeConstraints["T"]?.allowedTypes, ["tensor(float16)", "tensor(float)", "tensor(double)"])

        let concat = try XCTUnwrap(registry.schema("Concat", domain: "", opsetVersion: 13))
        XCTAssertEqual(concat.inputs.first?.arity, .variadic)
        XCTAssertEqual(concat.attributes["axis"]?.isRequired, true)
        XCTAssertEqual(concat.maxInputs, Int(Int32.max))

        let relu13 = try XCTUnwrap(registry.schema("Relu", domain: "", opsetVersion: 13))
        let relu14 = try XCTUnwrap(registry.schema("Relu", domain: "", opsetVersion: 14))
        XCTAssertFalse(relu13.typeConstraints["T"]?.allowedTypes.contains("tensor(int32)") ?? true)
        XCTAssertTrue(relu14.typeConstraints["T"]?.allowedTypes.contains("tensor(int32)") ?? false)

        let zipMap = try XCTUnwrap(registry.schema("ZipMap", domain: "ai.onnx.ml", opsetVersion: 1))
        XCTAssertTrue(zipMap.typeConstraints["T"]?.allowedTypes.contains("seq(map(int64, float))") ?? false)
    }

    func testRecordsFunctionBodiedOpsAndFlags() throws {
        let functionBodied = registry.operatorNames(domain: "").filter { name in
            registry.allVersions(of: name, domain: "").contains { $0.hasFunctionBody }
        }
        for op in ["Celu", "LayerNormalization", "MeanVarianceNormalization", "Softmax", "Range", "Gelu"] {
            XCTAssertTrue(functionBodied.contains(op), "\(op) has a function body")
        }
        XCTAssertFalse(functionBodied.contains("Conv"))
        XCTAssertEqual(registry.schema("Softmax", domain: "", opsetVersion: 13)?.hasFunctionBody, true)
        XCTAssertEqual(registry.schema("Softmax", domain: "", opsetVersion: 13)?.functionOpsetVersions, [13, 18])
        XCTAssertEqual(registry.schema("Upsample", domain: "", opsetVersion: 10)?.isDeprecated, true)
        XCTAssertEqual(registry.schema("LayerNormalization", domain: "", opsetVersion: 17)?.allowsUncheckedAttributes, true)
        XCTAssertEqual(registry.schema("Conv", domain: "", opsetVersion: 22)?.allowsUncheckedAttributes, false)
    }
}
