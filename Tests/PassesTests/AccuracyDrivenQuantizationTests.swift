import GraphChecker
import Harness
import ModelIR
import Passes
import XCTest

final class AccuracyDrivenQuantizationTests: XCTestCase {
    /// x[N, 8] → fc1 → Relu → fc2 → Relu → fc3. Input feature 0 is an outlier (±1000) that fc1
    /// reads with a tiny weight: per-tensor int8 on x gives the other seven features a step of
    /// about 8, larger than their whole range, so quantizing fc1's input loses them. fc1's output
    /// and everything after it have ordinary ranges.
    private func outlierNet() -> (Model, [String: Tensor]) {
        var b = ModelBuilder()
        b.input("x", [1, 8])
        b.inputs[0] = ValueInfo(name: "x", elementType: .float, shape: TensorShape([.symbolic("N"), .fixed(8)]))
        var w1 = b.random(8 * 16)
        for column in 0..<16 { w1[column] = w1[column] * 1e-4 }
        b.constant("w1", [8, 16], w1)
        b.weight("b1", [16])
        b.weight("w2", [16, 16])
        b.weight("b2", [16])
        b.weight("w3", [16, 4])
        b.weight("b3", [4])
        b.node("Gemm", ["x", "w1", "b1"], ["h1"], name: "fc1")
        b.node("Relu", ["h1"], ["r1"], name: "relu1")
        b.node("Gemm", ["r1", "w2", "b2"], ["h2"], name: "fc2")
        b.node("Relu", ["h2"], ["r2"], name: "relu2")
        b.node("Gemm", ["r2", "w3", "b3"], ["y"], name: "fc3")
        b.output("y")
        var x = b.random(64 * 8)
        for row in 0..<64 { x[row * 8] = row % 2 == 0 ? 1000 : -1000 }
        return (b.model, ["x": try! Tensor(name: "x", shape: [64, 8], scalars: x)])
    }

    private func run(_ model: Model, samples: [String: Tensor], path: String, options: [String: String])
        throws -> (model: Model, findings: [Finding], sensitivity: QuantizationSensitivity?) {
        let passOptions = PassOptions(options)
        let judge = try ExecutorQuantizationJudge(inputs: samples, file: "samples", labels: nil, options: passOptions)
        return try ModelOptimizer(path: try OptimizationPath(parsing: path), options: passOptions, calibrationSamples: samples,
                                  judge: judge, verifiesEachPass: true).optimize(model)
    }

    func testTheOutlierLayerRanksFirstAndIsTheOneKeptFloat() throws {
        let (model, samples) = outlierNet()
        let result = try run(model, samples: samples, path: "int8-auto", options: ["min_cosine": "0.999", "max_float_fraction": "0.34"])
        let sensitivity = try XCTUnwrap(result.sensitivity)
        XCTAssertEqual(sensitivity.nodes.map(\.node).first, "fc1")
        XCTAssertEqual(Set(sensitivity.nodes.map(\.node)), ["fc1", "fc2", "fc3"])
        let fc1 = sensitivity.nodes[0]
        XCTAssertGreaterThan(fc1.share, 0.9, "fc1 alone makes nearly all the noise")
        XCTAssertLessThan(fc1.activationsOnly.sqnrDB, fc1.weightsOnly!.sqnrDB - 20, "its activation, not its weights, is to blame")
        XCTAssertEqual(sensitivity.keptFloat, ["fc1"])
        XCTAssertEqual(sensitivity.nodes.filter(\.keptFloat).map(\.node), ["fc1"])
        XCTAssertEqual(sensitivity.gatesMet, true)
        XCTAssertEqual(sensitivity.gateChecks, 2, "the fully quantized model fails, the first fallback passes, and the search stops")
        XCTAssertEqual(sensitivity.floatLimit, 1)
        XCTAssertGreaterThan(sensitivity.result.sqnrDB, sensitivity.fullyQuantized.sqnrDB + 20)
        let gemms = result.model.graph.nodes.filter { $0.opType == "Gemm" }
        let producers = Dictionary(result.model.graph.nodes.flatMap { node in node.outputs.map { ($0, node.opType) } }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(gemms.map { producers[$0.inputs[1]] ?? "initializer" }, ["initializer", "DequantizeLinear", "DequantizeLinear"],
                       "fc1 reads its float weight, fc2 and fc3 int8 weights")
        XCTAssertTrue(result.findings.contains { $0.code == "int8-auto" && $0.message.contains("1 of 3 quantized nodes kept in float32 (fc1)") })
        assertValid(result.model)
    }

    func testTheFallbackStopsAtOnceWhenTheFullyQuantizedModelMeetsTheGates() throws {
        let (model, samples) = outlierNet()
        let result = try run(model, samples: samples, path: "int8-auto", options: ["min_cosine": "0.1"])
        let sensitivity = try XCTUnwrap(result.sensitivity)
        XCTAssertEqual(sensitivity.keptFloat, [])
        XCTAssertEqual(sensitivity.gateChecks, 1)
        XCTAssertEqual(sensitivity.result, sensitivity.fullyQuantized)
        XCTAssertEqual(count("DequantizeLinear", in: result.model) >= 3, true)
    }

    func testTheSearchStopsAtTheFloatLimitAndSaysTheGatesAreNotMet() throws {
        let (model, samples) = outlierNet()
        let result = try run(model, samples: samples, path: "int8-auto", options: ["min_cosine": "1.0", "max_float_fraction": "0.5"])
        let sensitivity = try XCTUnwrap(result.sensitivity)
        XCTAssertEqual(sensitivity.floatLimit, 1)
        XCTAssertEqual(sensitivity.keptFloat, ["fc1"])
        XCTAssertEqual(sensitivity.gatesMet, false)
        XCTAssertTrue(result.findings.contains { $0.level == .warning && $0.code == "int8-auto" })
    }

    func testInt8StaticRecordsTheTableButKeepsEveryNodeInInt8() throws {
        let (model, samples) = outlierNet()
        let result = try run(model, samples: samples, path: "int8-static", options: [:])
        let sensitivity = try XCTUnwrap(result.sensitivity)
        XCTAssertEqual(sensitivity.nodes.first?.node, "fc1")
        XCTAssertEqual(sensitivity.keptFloat, [])
        XCTAssertNil(sensitivity.gatesMet)
        XCTAssertEqual(sensitivity.result, sensitivity.fullyQuantized)
        let sum = sensitivity.nodes.reduce(0) { $0 + $1.share }
        XCTAssertEqual(sum, 1, accuracy: 1e-9)
    }

    func testInt8StaticStopsTheTableAtItsTimeBudget() throws {
        let (model, samples) = outlierNet()
        let result = try run(model, samples: samples, path: "int8-static", options: ["sensitivity_seconds": "1e-9"])
        let sensitivity = try XCTUnwrap(result.sensitivity)
        XCTAssertEqual(sensitivity.nodes.map(\.node), ["fc1"], "the first node is measured whatever the budget")
        XCTAssertEqual(sensitivity.unmeasuredNodes, 2)
        XCTAssertTrue(result.findings.contains { $0.code == "int8-static" && $0.message.contains("1 of 3 quantized nodes measured") },
                      "\(result.findings)")
        XCTAssertEqual(count("DequantizeLinear", in: result.model) >= 3, true, "the budget limits the table, not the quantization")
        XCTAssertNil(try run(model, samples: samples, path: "int8-static", options: [:]).sensitivity?.unmeasuredNodes)
    }

    func testInt8AutoWithoutEvaluationDataIsAnError() throws {
        let (model, samples) = outlierNet()
        XCTAssertThrowsError(try optimize(model, path: "int8-auto", calibration: samples)) { error in
            XCTAssertTrue("\(error)".contains("int8-auto judges candidates on evaluation data"), "\(error)")
        }
    }
}
