@testable import Harness
import XCTest

/// The first node whose SNR falls below the threshold.
final class DiagnosisTests: XCTestCase {
    func testDiagnosisMarksFirstNodeBelowThreshold() {
        let nodes = [Diagnosis.NodeDeviation(node: "conv1", op: "Conv", output: "a", snrDB: 45, cosine: 1, maxAbsError: 0.01),
                     Diagnosis.NodeDeviation(node: "relu1", op: "Relu", output: "b", snrDB: 12, cosine: 0.9, maxAbsError: 0.3),
                     Diagnosis.NodeDeviation(node: "fc", op: "Gemm", output: "c", snrDB: 5, cosine: 0.8, maxAbsError: 1)]
        let diagnosis = Diagnosis(nodes: nodes, thresholdSNRdB: 20)
        XCTAssertEqual(diagnosis.firstDivergingNode, "relu1")
        XCTAssertEqual(diagnosis.firstDivergingOp, "Relu")
        XCTAssertNil(Diagnosis(nodes: nodes, thresholdSNRdB: 1).firstDivergingNode)
    }
}
