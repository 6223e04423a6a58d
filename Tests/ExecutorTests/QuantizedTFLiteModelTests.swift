@testable import Executor
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// A small trained full-integer TensorFlow Lite CNN (Tests/Fixtures/tflite/resnet_int8, made by
/// Tools/fixtures/make_tflite_int8_fixtures.py: Conv, residual Add, depthwise Conv, ReLU/ReLU6,
/// MEAN, Dense), imported as QDQ ONNX and run by the fast plan on every `Int8Gemm` path at one and
/// two threads: its logits identical to tf.lite.Interpreter's, and within one quantization step of
/// the reference plan's (which sums dequantized products in float). The import transposes the integers, not their dequantized floats, so every
/// convolution reads a DequantizeLinear and runs on integers, as the residual Adds and the Dense
/// layer do.
final class QuantizedTFLiteModelTests: XCTestCase {
    override func tearDown() {
        Int8Gemm.path = Int8Gemm.supported
        ExecutorThreads.set(1)
        super.tearDown()
    }

    func testIntegerKernelsReproduceTheInterpreter() throws {
        let reference = FixturePaths.fixture("tflite/resnet_int8.h5")
        let model = try TFLiteModelFile.load(FixturePaths.fixture("tflite/resnet_int8.tflite"))
        let inputs = try HDF5TensorFile.read(reference, group: "inputs")
        let interpreter = try XCTUnwrap(try HDF5TensorFile.read(reference, group: "outputs")["output_0"]).floatValues()
        let step = Float(try XCTUnwrap(try HDF5File(reading: reference).readAttribute("step_output_0").doubleValues().first))
        XCTAssertGreaterThan(step, 0)
        XCTAssertEqual(interpreter.count, 8 * 6)

        let evaluator = try Evaluator(model: model)
        let kinds = (evaluator.fastGraph?.steps ?? []).map { String(describing: type(of: $0.kernel)) }
        XCTAssertEqual(kinds.filter { $0 == "QuantizedAdd" }.count, 2, "\(kinds)")
        XCTAssertEqual(kinds.filter { $0 == "QuantizedGemm" }.count, 1, "\(kinds)")
        let convolutions = model.graph.nodes.filter { $0.opType == "Conv" }.count
        XCTAssertGreaterThanOrEqual(convolutions, 3)
        XCTAssertEqual(kinds.filter { $0 == "QuantizedConv" }.count, convolutions, "\(kinds)")
        let producers = Dictionary(model.graph.nodes.flatMap { node in node.outputs.map { ($0, node.opType) } }, uniquingKeysWith: { a, _ in a })
        for conv in model.graph.nodes where conv.opType == "Conv" {
            XCTAssertEqual(producers[conv.inputs[0]], "DequantizeLinear", "Conv '\(conv.name)' should read dequantized integers")
        }
        let referencePlan = try XCTUnwrap(try evaluator.run(tensors: inputs, captureIntermediates: true)["output_0"]?.tensor).floatValues()

        func steps(_ a: [Float], _ b: [Float]) -> [Int] { zip(a, b).map { Int((abs($0 - $1) / step).rounded()) } }
        XCTAssertLessThanOrEqual(steps(referencePlan, interpreter).max() ?? 99, 1, "the reference plan against the interpreter")
        for threads in [1, 2] {
            ExecutorThreads.set(threads)
            for path in Int8Gemm.Path.allCases where path <= Int8Gemm.supported {
                Int8Gemm.path = path
                let fast = try XCTUnwrap(try evaluator.run(tensors: inputs)["output_0"]?.tensor).floatValues()
                XCTAssertEqual(fast.count, interpreter.count)
                let context = "\(path) threads \(threads)"
                XCTAssertLessThanOrEqual(steps(fast, interpreter).max() ?? 99, 1, "\(context): against the interpreter")
                XCTAssertLessThanOrEqual(steps(fast, referencePlan).max() ?? 99, 1, "\(context): against the reference plan")
                let identical = zip(fast, interpreter).filter { $0 == $1 }.count
                XCTAssertEqual(identical, interpreter.count, "\(context): \(identical) of \(interpreter.count) logits identical")
            }
        }
        XCTAssertGreaterThan(Set(interpreter).count, 20, "the logits should spread over many levels")
    }
}
