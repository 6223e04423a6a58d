import Executor
import ModelIR
import TestSupport
import XCTest

/// Runs `model` on float feeds and returns the named output as floats.
func runFloats(_ model: Model, _ feeds: [String: Tensor], output: String? = nil,
              file: StaticString = #filePath, line: UInt = #line) throws -> (shape: [Int], values: [Float]) {
    let result = try Evaluator(model: model).run(tensors: feeds)
    let name = output ?? model.graph.outputs[0].name
    guard let tensor = result[name]?.tensor else {
        XCTFail("no tensor output '\(name)'", file: file, line: line)
        return ([], [])
    }
    return (tensor.shape, try tensor.floatValues())
}
