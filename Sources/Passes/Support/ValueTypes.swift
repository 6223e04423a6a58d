import GraphChecker
import ModelIR

/// The element type and static shape of every value of a graph, as declared or inferred.
struct ValueTypes {
    private var table: [String: (elementType: DataType, shape: TensorShape?)] = [:]

    /// Reads the graph's inputs, outputs, value_info and initializers (run shape inference first).
    init(_ graph: Graph) {
        for info in graph.inputs + graph.outputs + graph.valueInfo {
            if let tensorType = info.type?.type.tensorType, tensorType.elementType != .undefined {
                table[info.name] = tensorType
            }
        }
        for tensor in graph.initializers {
            table[tensor.name] = (tensor.dataType, TensorShape(fixed: tensor.shape))
        }
        for sparse in graph.sparseInitializers {
            table[sparse.name] = (sparse.values.dataType, TensorShape(fixed: sparse.shape))
        }
    }

    /// The inferred types of `model`'s main graph.
    init(inferring model: Model) {
        self.init(GraphChecker(lint: false).inferringShapes(of: model).graph)
    }

    func elementType(_ name: String) -> DataType? { table[name]?.elementType }
    func shape(_ name: String) -> TensorShape? { table[name]?.shape }
    func rank(_ name: String) -> Int? { table[name]?.shape?.rank }
    func fixedShape(_ name: String) -> [Int]? { table[name]?.shape?.fixedSizes }
}
