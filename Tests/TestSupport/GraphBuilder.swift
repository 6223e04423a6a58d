import ModelIR

/// Small IR models for tests, built in code.
public enum GraphBuilder {
    /// A float tensor value of `shape` for graph inputs and outputs.
    public static func value(_ name: String, _ type: DataType = .float, _ shape: [Int]? = nil) -> ValueInfo {
        ValueInfo(name: name, elementType: type, shape: shape.map { TensorShape(fixed: $0) })
    }

    /// A float tensor of `shape` (row-major `values`); traps on a count mismatch, which is a bug in the test.
    public static func tensor(_ shape: [Int], _ values: [Float]) -> Tensor { tensor("", shape, values) }

    /// A named float tensor (an initializer).
    public static func tensor(_ name: String, _ shape: [Int], _ values: [Float]) -> Tensor {
        do { return try Tensor(name: name, shape: shape, scalars: values) } catch { fatalError("test tensor: \(error)") }
    }

    public static func int64s(_ name: String = "", _ values: [Int64]) -> Tensor {
        do { return try Tensor(name: name, shape: [values.count], scalars: values) } catch { fatalError("test tensor: \(error)") }
    }

    /// A model of `nodes` importing the default domain at `opset`.
    public static func model(_ nodes: [Node], inputs: [ValueInfo], outputs: [ValueInfo], initializers: [Tensor] = [],
                             opset: Int64 = 21, functions: [Function] = [], extraOpsets: [OpsetImport] = []) -> Model {
        Model(opsetImports: [OpsetImport(domain: "", version: opset)] + extraOpsets,
              graph: Graph(name: "test", nodes: nodes, initializers: initializers, inputs: inputs, outputs: outputs),
              functions: functions)
    }

    public static func int(_ name: String, _ value: Int64) -> Attribute { Attribute(name: name, value: .int(value)) }
    public static func ints(_ name: String, _ values: [Int64]) -> Attribute { Attribute(name: name, value: .ints(values)) }
    public static func float(_ name: String, _ value: Float) -> Attribute { Attribute(name: name, value: .float(value)) }
    public static func graph(_ name: String, _ graph: Graph) -> Attribute { Attribute(name: name, value: .graph(graph)) }
}
