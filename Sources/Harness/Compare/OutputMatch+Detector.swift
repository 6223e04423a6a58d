import ModelIR

extension OutputMatch {
    /// How a detector's outputs are paired when `corpus.yml` sets no `match` for them, read from
    /// the model and its golden outputs; empty for a model that is not a detector.
    ///
    /// A model is a detector when it runs NMS (a `NonMaxSuppression` node in its graph, a
    /// subgraph or a local function). Its box outputs (float, last axis 4, a detection axis before
    /// it whose size the graph leaves open) are paired as `detections`; the outputs holding one
    /// value per detection of the first box output (golden shape equal to the boxes' without their
    /// last axis, the same open detection axis: scores, classes) as `detection_values`. Anything
    /// else (masks, keypoints, a fixed-size list) keeps element-wise comparison. An explicit `match`
    /// in `corpus.yml`, `elements` included, wins over what is read here.
    public static func detectorOutputs(of model: Model, golden: [String: Tensor]) -> [String: OutputMatch] {
        guard Self.runsNMS(model) else { return [:] }
        var result: [String: OutputMatch] = [:]
        var boxesShape: [Int]?
        for output in model.graph.outputs {
            guard let tensor = golden[output.name], tensor.dataType.isFloatingPoint, tensor.shape.count >= 2, tensor.shape.last == 4,
                  Self.isOpen(output, axis: tensor.shape.count - 2) else { continue }
            result[output.name] = .detections
            if boxesShape == nil { boxesShape = Array(tensor.shape.dropLast()) }
        }
        guard let boxesShape else { return [:] }
        for output in model.graph.outputs where result[output.name] == nil {
            guard let tensor = golden[output.name], tensor.shape == boxesShape, Self.isOpen(output, axis: boxesShape.count - 1) else { continue }
            result[output.name] = .detectionValues
        }
        return result
    }

    private static func runsNMS(_ model: Model) -> Bool {
        func holdsNMS(_ nodes: [Node]) -> Bool {
            nodes.contains { $0.opType == "NonMaxSuppression" || $0.subgraphs.contains { holdsNMS($0.nodes) } }
        }
        return holdsNMS(model.graph.nodes) || model.functions.contains { holdsNMS($0.nodes) }
    }

    /// True when the graph does not fix the size of `output`'s axis `axis` (a count only the data decides).
    private static func isOpen(_ output: ValueInfo, axis: Int) -> Bool {
        guard let shape = output.type?.type.tensorType?.shape, axis < shape.rank else { return true }
        return shape.dimensions[axis].dimension.value == nil
    }
}
