import GraphChecker
import Harness
import ModelIR
import XCTest

final class ExecutorCoverageTests: XCTestCase {
    private func model(_ nodes: [Node], opsets: [OpsetImport], functions: [Function] = []) -> Model {
        Model(opsetImports: opsets,
              graph: Graph(name: "g", nodes: nodes,
                           inputs: [ValueInfo(name: "x", elementType: .float, shape: TensorShape(fixed: [2]))],
                           outputs: [ValueInfo(name: "y", elementType: .float, shape: nil)]),
              functions: functions)
    }

    func testOperatorsWithoutKernelsAreWarnedAboutByNode() {
        let findings = ExecutorCoverage.findings(for: model(
            [Node(name: "relu", opType: "Relu", inputs: ["x"], outputs: ["r"]),
             Node(name: "mystery", opType: "Frobnicate", domain: "com.example", inputs: ["r"], outputs: ["y"])],
            opsets: [OpsetImport(domain: "", version: 17), OpsetImport(domain: "com.example", version: 1)]))
        XCTAssertEqual(findings.count, 1)
        XCTAssertEqual(findings.first?.level, .warning)
        XCTAssertEqual(findings.first?.code, ExecutorCoverage.code)
        XCTAssertEqual(findings.first?.node, "mystery")
        XCTAssertEqual(findings.first?.message, "node 'mystery': the reference executor has no kernel for com.example.Frobnicate at opset 1")
    }

    func testModelLocalFunctionsAndSupportedOpsAreNotReported() {
        let twice = Function(name: "Twice", domain: "local", inputs: ["a"], outputs: ["b"],
                             nodes: [Node(opType: "Add", inputs: ["a", "a"], outputs: ["b"])],
                             opsetImports: [OpsetImport(domain: "", version: 17)])
        let findings = ExecutorCoverage.findings(for: model(
            [Node(name: "call", opType: "Twice", domain: "local", inputs: ["x"], outputs: ["t"]),
             Node(name: "soft", opType: "Softmax", inputs: ["t"], outputs: ["y"], attributes: [Attribute(name: "axis", value: .int(0))])],
            opsets: [OpsetImport(domain: "", version: 17), OpsetImport(domain: "local", version: 1)], functions: [twice]))
        XCTAssertEqual(findings, [])
    }
}
