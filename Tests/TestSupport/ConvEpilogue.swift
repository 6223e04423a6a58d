import ModelIR

extension GraphBuilder {
    /// Appends the nodes the executor fuses into a Conv after `output` (the Conv's output, `maps`
    /// feature maps): an inference BatchNormalization with random statistics, then Relu, then Clip
    /// to [−0.5, 0.75], each when asked. Returns the name of the last output.
    public static func convEpilogue(after output: String, maps: Int, batchNorm: Bool, relu: Bool, clip: Bool,
                                    random: inout SeededGenerator, nodes: inout [Node], initializers: inout [Tensor]) -> String {
        var last = output
        if batchNorm {
            initializers += [tensor("s", [maps], random.floats(maps)), tensor("t", [maps], random.floats(maps)),
                             tensor("m", [maps], random.floats(maps)), tensor("v", [maps], random.floats(maps).map { abs($0) + 0.1 })]
            nodes.append(Node(name: "bn", opType: "BatchNormalization", inputs: [last, "s", "t", "m", "v"], outputs: ["N"]))
            last = "N"
        }
        if relu {
            nodes.append(Node(name: "relu", opType: "Relu", inputs: [last], outputs: ["R"]))
            last = "R"
        }
        if clip {
            initializers += [tensor("lo", [], [-0.5]), tensor("hi", [], [0.75])]
            nodes.append(Node(name: "clip", opType: "Clip", inputs: [last, "lo", "hi"], outputs: ["K"]))
            last = "K"
        }
        return last
    }
}
