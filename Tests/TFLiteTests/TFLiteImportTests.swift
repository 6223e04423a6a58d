import Executor
import Foundation
import GraphChecker
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// Imported TFLite models run on the reference executor and agree with TensorFlow Lite's own
/// interpreter: float models within rtol 1e-4 / atol 1e-5, the int8 models within one
/// quantization step on at least 99 % of the elements.
final class TFLiteImportTests: XCTestCase {
    private func run(_ fixture: TFLiteFixture) throws -> (model: Model, outputs: [String: Tensor]) {
        let model = try TFLiteModelFile.load(fixture.modelURL)
        let report = GraphChecker().check(model)
        XCTAssertTrue(report.isValid, "\(fixture.name): \(report.errors.map(\.message))")
        let result = try Evaluator(model: model).run(tensors: try fixture.inputs())
        var outputs: [String: Tensor] = [:]
        for named in result.outputs {
            outputs[named.name] = try XCTUnwrap(named.value.tensor, "\(fixture.name): output \(named.name)")
        }
        return (model, outputs)
    }

    func testFloatFixturesMatchTheInterpreter() throws {
        for fixture in TFLiteFixture.float.map(TFLiteFixture.init) {
            let (model, outputs) = try run(fixture)
            let expected = try fixture.outputs()
            XCTAssertEqual(Set(outputs.keys), Set(expected.keys), fixture.name)
            XCTAssertEqual(model.graph.outputs.count, expected.count, fixture.name)
            for (name, reference) in expected {
                let actual = try XCTUnwrap(outputs[name], "\(fixture.name): no output \(name)")
                XCTAssertEqual(actual.shape, reference.shape, "\(fixture.name)/\(name)")
                assertClose(floats(actual), floats(reference), rtol: 1e-4, atol: 1e-5, "\(fixture.name)/\(name)")
            }
        }
    }

    func testInt8FixturesAreWithinOneQuantizationStepOfTheInterpreter() throws {
        for fixture in TFLiteFixture.int8.map(TFLiteFixture.init) {
            let (_, outputs) = try run(fixture)
            let expected = try fixture.outputs()
            XCTAssertEqual(Set(outputs.keys), Set(expected.keys), fixture.name)
            for (name, reference) in expected {
                let stepTensor = try HDF5File(reading: fixture.referenceURL).readAttribute("step_\(name)")
                let step = Float(try XCTUnwrap(stepTensor.doubleValues().first))
                XCTAssertGreaterThan(step, 0)
                let actual = floats(try XCTUnwrap(outputs[name], "\(fixture.name): no output \(name)"))
                let wanted = floats(reference)
                XCTAssertEqual(actual.count, wanted.count, "\(fixture.name)/\(name)")
                let within = zip(actual, wanted).filter { abs($0 - $1) <= step * 1.001 }.count
                XCTAssertGreaterThanOrEqual(Double(within) / Double(max(wanted.count, 1)), 0.99,
                                            "\(fixture.name)/\(name): \(within) of \(wanted.count) outputs within one step (\(step)) of the interpreter")
            }
        }
    }

    func testInt8ImportIsQDQWithPerChannelWeights() throws {
        let model = try TFLiteModelFile.load(TFLiteFixture(name: "cnn_int8").modelURL)
        let nodes = model.graph.nodes
        let convolutions = nodes.filter { $0.opType == "Conv" }
        XCTAssertEqual(convolutions.count, 3)
        let producers = Dictionary(nodes.flatMap { node in node.outputs.map { ($0, node) } }, uniquingKeysWith: { first, _ in first })
        for conv in convolutions {
            let weights = try XCTUnwrap(producers[conv.inputs[1]], "weights of \(conv.name)")
            XCTAssertEqual(weights.opType, "DequantizeLinear")
            XCTAssertEqual(weights.attribute("axis")?.int, 0, "per-channel along the output channels of \(conv.name)")
            let integers = try XCTUnwrap(model.graph.initializers.first { $0.name == weights.inputs[0] })
            XCTAssertEqual(integers.dataType, .int8)
            XCTAssertEqual(integers.rank, 4)
        }
        let initializerNames = Set(model.graph.initializers.map(\.name))
        let activationDequantizers = nodes.filter { $0.opType == "DequantizeLinear" && !initializerNames.contains($0.inputs[0]) }
        let quantized = Set(nodes.filter { $0.opType == "QuantizeLinear" }.flatMap(\.outputs))
        var dequantized: Set<String> = []
        for dequantizer in activationDequantizers {
            var source = dequantizer.inputs[0]
            while let producer = producers[source], producer.opType == "Transpose" { source = producer.inputs[0] }
            XCTAssertTrue(quantized.contains(source), "\(dequantizer.name) reads the integers of a QuantizeLinear, transposed or not")
            dequantized.insert(source)
        }
        XCTAssertEqual(dequantized, quantized, "every activation is a QDQ pair")
        XCTAssertGreaterThan(activationDequantizers.count, 5)
        for conv in convolutions {
            XCTAssertEqual(producers[conv.inputs[0]]?.opType, "DequantizeLinear", "\(conv.name) reads dequantized integers, transposed as integers")
        }
        XCTAssertEqual(model.graph.inputs.map(\.name), ["image"])
        XCTAssertEqual(model.graph.inputs.first?.type?.type.tensorType?.elementType, .float)
        XCTAssertEqual(model.graph.inputs.first?.type?.type.tensorType?.shape?.dimensions.map(\.dimension), [.symbolic("batch"), .fixed(12), .fixed(12), .fixed(3)])
    }

    func testWhileBecomesALoopWhoseBodyReadsOuterInitializers() throws {
        let model = try TFLiteModelFile.load(TFLiteFixture(name: "gru_while").modelURL)
        let loop = try XCTUnwrap(model.graph.nodes.first { $0.opType == "Loop" })
        XCTAssertEqual(loop.inputs.first, "", "no trip count: the condition subgraph decides")
        let body = try XCTUnwrap(loop.attribute("body")?.graph)
        XCTAssertEqual(body.inputs.count, loop.inputs.count)
        XCTAssertEqual(body.outputs.count, loop.inputs.count - 1)
        XCTAssertTrue(body.initializers.isEmpty)
        XCTAssertTrue(body.nodes.contains { $0.opType == "Gemm" })
        XCTAssertTrue(body.nodes.contains { $0.opType == "Less" })
    }

    func testFloat16WeightsAreCastUp() throws {
        let model = try TFLiteModelFile.load(TFLiteFixture(name: "cnn_fp16").modelURL)
        XCTAssertTrue(model.graph.initializers.contains { $0.dataType == .float16 })
        XCTAssertFalse(model.graph.initializers.contains { $0.dataType == .float && $0.elementCount > 8 })
        XCTAssertTrue(model.graph.nodes.contains { $0.opType == "Cast" && $0.attribute("to")?.int == Int64(DataType.float.rawValue) })
    }
}

/// The fused LSTM TensorFlow's converter makes of a Keras LSTM becomes a Loop over the time
/// steps with the cell state clipped as TFLite clips it; a Bidirectional LSTM's backward
/// direction reverses the sequence with a step −1 Slice.
final class TFLiteSequenceImportTests: XCTestCase {
    func testFusedLSTMIsALoopOverTheStepsWithTheCellClipped() throws {
        let model = try TFLiteModelFile.load(TFLiteFixture(name: "lstm_fused").modelURL)
        let loop = try XCTUnwrap(model.graph.nodes.first { $0.opType == "Loop" })
        let tripCount = try XCTUnwrap(model.graph.initializers.first { $0.name == loop.inputs[0] })
        XCTAssertEqual(tripCount.scalars(as: Int64.self), [6], "one iteration per time step")
        XCTAssertEqual(loop.outputs.count, 3)
        let body = try XCTUnwrap(loop.attribute("body")?.graph)
        XCTAssertEqual(body.nodes.filter { $0.opType == "Sigmoid" }.count, 3, "input, forget and output gates")
        XCTAssertEqual(body.nodes.filter { $0.opType == "Tanh" }.count, 2, "cell input and output activations")
        let clip = try XCTUnwrap(body.nodes.first { $0.opType == "Clip" })
        let bounds = try clip.inputs[1...].map { name in try XCTUnwrap(model.graph.initializers.first { $0.name == name }?.scalars(as: Float.self)?.first) }
        XCTAssertEqual(bounds, [-10, 10], "Keras's fused LSTM clips the cell state at 10")
        XCTAssertFalse(model.graph.nodes.contains { $0.opType == "LSTM" })
    }

    func testBidirectionalLSTMReversesTheSequenceForItsBackwardLoop() throws {
        let model = try TFLiteModelFile.load(TFLiteFixture(name: "bilstm_fused").modelURL)
        XCTAssertEqual(model.graph.nodes.filter { $0.opType == "Loop" }.count, 2)
        let reversals = model.graph.nodes.filter { node in
            node.opType == "Slice" && node.inputs.count == 5
                && model.graph.initializers.first { $0.name == node.inputs[4] }?.scalars(as: Int64.self) == [-1]
        }
        XCTAssertEqual(reversals.count, 1)
    }

    func testMaskedLSTMSelectsWithWhere() throws {
        let model = try TFLiteModelFile.load(TFLiteFixture(name: "masked_lstm_while").modelURL)
        let loop = try XCTUnwrap(model.graph.nodes.first { $0.opType == "Loop" })
        let body = try XCTUnwrap(loop.attribute("body")?.graph)
        XCTAssertTrue(body.nodes.contains { $0.opType == "Where" }, "SELECT_V2 in the loop body")
        XCTAssertTrue(model.graph.nodes.contains { $0.opType == "Where" }, "SELECT before the loop")
        XCTAssertTrue(model.graph.nodes.contains { $0.opType == "Not" }, "NOT_EQUAL")
    }
}
