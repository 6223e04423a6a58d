import Foundation
import GraphChecker
import ModelFormats
import ModelIR
import ONNXProto
import SwiftProtobuf

/// What a mutant breaks, so that a test can ask whether the checker's errors point at it.
enum Blame: Equatable {
    /// One of these nodes (labels as the mutant has them) must be named by an error.
    case nodes(Set<String>)
    /// A model-level field (IR version): no node to name.
    case model
    /// A tensor: its name must appear in the error.
    case tensor(String)
    /// The mutation is expected to keep the model valid (the checker must name nothing).
    case none
}

/// An invalid (or deliberately still valid) variant of a valid model.
struct Mutant {
    var kind: String
    var base: String
    /// The mutated model, or serialized bytes for mutations the IR cannot represent.
    var model: Model?
    var bytes: Data?
    var blame: Blame
}

extension SplitMix64 {
    /// A generator seeded by the FNV-1a hash of `seed`, so that every run makes the same mutants.
    init(seed: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in seed.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        self.init(seed: hash)
    }
}

/// Makes invalid models from valid ones: one mutant per kind that applies to a model.
///
/// Kinds: undefined, removed and later-defined inputs, reordered nodes, duplicated outputs, wrong
/// attribute types, unknown attributes and ops, ops from a future opset, an opset of 1000 (still
/// valid), missing opset imports, bad IR versions, wrong element types of graph inputs and outputs,
/// graph inputs declared unlike the initializer of the same name,
/// initializer data that does not match its shape, cycles, and subgraphs that read values out of
/// their lexical scope; and, for single-node models, the node moved into a model-local function
/// (valid) with a broken body, an incompatible function opset or a wrong output type.
struct ModelMutator {
    let registry = GraphCheckerSchemas.registry

    func mutants(of model: Model, named base: String) -> [Mutant] {
        var generator = SplitMix64(seed: base)
        var result: [Mutant] = []
        func add(_ kind: String, _ model: Model?, _ blame: Blame) {
            if let model { result.append(Mutant(kind: kind, base: base, model: model, blame: blame)) }
        }
        let graph = model.graph
        let nodes = graph.nodes
        let withInputs = nodes.indices.filter { nodes[$0].inputs.contains { !$0.isEmpty } }

        if let index = withInputs.randomElement(using: &generator) {
            var copy = model
            let slots = copy.graph.nodes[index].inputs.indices.filter { !copy.graph.nodes[index].inputs[$0].isEmpty }
            let slot = slots.randomElement(using: &generator) ?? 0
            copy.graph.nodes[index].inputs[slot] += "_undefined"
            add("undefined-input", copy, .nodes([copy.graph.nodes[index].label]))

            var removed = model
            removed.graph.nodes[index].inputs.removeLast()
            add("removed-input", removed, .nodes(downstream(ofNode: index, in: removed.graph)))
        }
        if let input = graph.inputs.first(where: { value in !graph.initializers.contains { $0.name == value.name } }) {
            var copy = model
            copy.graph.inputs.removeAll { $0.name == input.name }
            add("removed-graph-input", copy, .nodes(Set(nodes.filter { $0.inputs.contains(input.name) || readsInSubgraph($0, input.name) }.map(\.label))))
        }
        if nodes.count >= 2 {
            let later = Int.random(in: 1..<nodes.count, using: &generator)
            let earlier = withInputs.filter { $0 < later }.randomElement(using: &generator)
            if let earlier, let name = nodes[later].outputs.first(where: { !$0.isEmpty }) {
                var copy = model
                let slot = copy.graph.nodes[earlier].inputs.firstIndex { !$0.isEmpty } ?? 0
                copy.graph.nodes[earlier].inputs[slot] = name
                add("input-defined-later", copy, .nodes([copy.graph.nodes[earlier].label]))
            }
            let first = Int.random(in: 0..<(nodes.count - 1), using: &generator)
            var swapped = model
            swapped.graph.nodes.swapAt(first, first + 1)
            add("reordered-nodes", swapped, .nodes([nodes[first].label, nodes[first + 1].label]))

            let target = Int.random(in: 1..<nodes.count, using: &generator)
            let source = Int.random(in: 0..<target, using: &generator)
            if let name = nodes[source].outputs.first(where: { !$0.isEmpty }), !nodes[target].outputs.isEmpty {
                var copy = model
                copy.graph.nodes[target].outputs[0] = name
                add("duplicated-output", copy, .nodes([copy.graph.nodes[target].label]))
            }
            if let cycle = cycle(in: model) { add("cycle", cycle.model, .nodes([cycle.label])) }
        } else if let node = nodes.first, let input = graph.inputs.first, !node.outputs.isEmpty {
            var copy = model
            copy.graph.nodes[0].outputs[0] = input.name
            add("duplicated-output", copy, .nodes([copy.graph.nodes[0].label]))
        }
        let withAttributes = nodes.indices.filter { !nodes[$0].attributes.isEmpty }
        if let index = withAttributes.randomElement(using: &generator) {
            var copy = model
            let slot = Int.random(in: 0..<copy.graph.nodes[index].attributes.count, using: &generator)
            copy.graph.nodes[index].attributes[slot].value = wrongKind(of: copy.graph.nodes[index].attributes[slot].value)
            copy.graph.nodes[index].attributes[slot].referencedAttribute = nil
            add("attribute-type", copy, .nodes([copy.graph.nodes[index].label]))
        }
        if let index = nodes.indices.randomElement(using: &generator) {
            var copy = model
            copy.graph.nodes[index].attributes.append(Attribute(name: "not_an_attribute", value: .int(1)))
            add("unknown-attribute", copy, .nodes([copy.graph.nodes[index].label]))

            var unknown = model
            unknown.graph.nodes[index].opType += "Unknown"
            add("unknown-op", unknown, .nodes([unknown.graph.nodes[index].label]))
        }
        if let (index, since) = nodes.indices.compactMap({ index -> (Int, Int64)? in
            guard nodes[index].canonicalDomain == "",
                  let first = registry.allVersions(of: nodes[index].opType, domain: "").first, first.sinceVersion > 1 else { return nil }
            return (index, Int64(first.sinceVersion))
        }).randomElement(using: &generator) {
            var copy = model
            for position in copy.opsetImports.indices where ["", "ai.onnx"].contains(copy.opsetImports[position].domain) {
                copy.opsetImports[position].version = since - 1
            }
            add("op-from-future-opset", copy, .nodes([nodes[index].label]))
        }
        var farFuture = model
        for position in farFuture.opsetImports.indices where farFuture.opsetImports[position].domain == "" {
            farFuture.opsetImports[position].version = 1_000
        }
        add("opset-1000", farFuture, .none)

        var noImports = model
        noImports.opsetImports = []
        add("missing-opset-import", noImports, .nodes(Set(nodes.map(\.label))))
        let otherDomains = Set(nodes.map(\.domain)).subtracting(["", "ai.onnx"])
        if let domain = otherDomains.sorted().first {
            var copy = model
            copy.opsetImports.removeAll { $0.domain == domain }
            add("missing-domain-import", copy, .nodes(Set(nodes.filter { $0.domain == domain }.map(\.label))))
        }
        var badIR = model
        badIR.irVersion = Bool.random(using: &generator) ? 0 : 15
        add("bad-ir-version", badIR, .model)

        if let position = graph.inputs.indices.filter({ index in
            graph.inputs[index].type?.type.tensorType != nil && !graph.initializers.contains { $0.name == graph.inputs[index].name }
        }).randomElement(using: &generator), case let .tensor(type, shape)? = graph.inputs[position].type?.type {
            var copy = model
            copy.graph.inputs[position].type = TypeInfo(.tensor(elementType: otherType(than: type), shape: shape))
            add("input-element-type", copy, .nodes(downstream(of: graph.inputs[position].name, in: graph)))
        }
        if let position = graph.inputs.indices.filter({ index in
            graph.inputs[index].type?.type.tensorType != nil && graph.initializers.contains { $0.name == graph.inputs[index].name }
        }).randomElement(using: &generator), case let .tensor(type, shape)? = graph.inputs[position].type?.type {
            var copy = model
            let wrongShape = shape.map { TensorShape(Array($0.dimensions.dropLast())) }
            let changeType = Bool.random(using: &generator) || (shape?.rank ?? 0) == 0
            copy.graph.inputs[position].type = TypeInfo(.tensor(elementType: changeType ? otherType(than: type) : type,
                                                                shape: changeType ? shape : wrongShape))
            add("initializer-input-type", copy, .tensor(graph.inputs[position].name))
        }
        if let position = graph.outputs.indices.filter({ graph.outputs[$0].type?.type.tensorType != nil }).randomElement(using: &generator),
           case let .tensor(type, shape)? = graph.outputs[position].type?.type {
            var copy = model
            copy.graph.outputs[position].type = TypeInfo(.tensor(elementType: otherType(than: type), shape: shape))
            let producers = nodes.filter { $0.outputs.contains(graph.outputs[position].name) }.map(\.label)
            add("output-element-type", copy, .nodes(Set(producers)))
            if let shape {
                var ranked = model
                ranked.graph.outputs[position].type = TypeInfo(.tensor(elementType: type, shape: TensorShape(shape.dimensions + [ShapeDimension(.fixed(1))])))
                add("output-rank", ranked, .nodes(Set(producers)))
            }
        }
        if let tensor = graph.initializers.filter({ $0.dataType != .string }).randomElement(using: &generator),
           let bytes = initializerSizeMismatch(model, tensor: tensor.name) {
            result.append(Mutant(kind: "initializer-size", base: base, model: nil, bytes: bytes, blame: .tensor(tensor.name)))
        }
        result.append(contentsOf: scopingMutants(of: model, named: base, generator: &generator))
        result.append(contentsOf: functionMutants(of: model, named: base))
        return result
    }

    /// A single-node model rewritten to call a model-local function holding the node (still valid),
    /// and variants with a broken body, an incompatible function opset or a wrong output type.
    private func functionMutants(of model: Model, named base: String) -> [Mutant] {
        guard model.graph.nodes.count == 1, let node = model.graph.nodes.first, node.canonicalDomain == "",
              node.subgraphs.isEmpty, node.inputs.allSatisfy({ !$0.isEmpty }), node.outputs.allSatisfy({ !$0.isEmpty }),
              let opset = model.opsetVersion(for: ""), model.irVersion >= 7 else { return [] }
        func wrapped(_ body: Node, functionOpset: Int64 = opset) -> Model {
            var copy = model
            copy.irVersion = max(model.irVersion, 8)
            copy.opsetImports.append(OpsetImport(domain: "local.fn", version: 1))
            let inputs = body.inputs.enumerated().map { "in\($0.offset)" }
            let outputs = body.outputs.enumerated().map { "out\($0.offset)" }
            var inner = body
            inner.name = "body_node"
            inner.inputs = inner.inputs.enumerated().map { index, name in node.inputs.contains(name) ? inputs[node.inputs.firstIndex(of: name) ?? index] : name }
            inner.outputs = outputs
            copy.functions = [Function(name: "Wrapped", domain: "local.fn", inputs: inputs, outputs: outputs, nodes: [inner],
                                       opsetImports: [OpsetImport(domain: "", version: functionOpset)])]
            copy.graph.nodes = [Node(name: "call", opType: "Wrapped", domain: "local.fn", inputs: node.inputs, outputs: node.outputs)]
            return copy
        }
        var result = [Mutant(kind: "function-call", base: base, model: wrapped(node), bytes: nil, blame: .none)]
        if !node.inputs.isEmpty {
            var broken = node
            broken.inputs[0] = "not_a_function_input"
            result.append(Mutant(kind: "function-body-undefined-input", base: base, model: wrapped(broken), bytes: nil, blame: .nodes(["body_node"])))
        }
        let versions = registry.allVersions(of: node.opType, domain: "").map(\.sinceVersion)
        if let current = registry.schema(node.opType, domain: "", opsetVersion: Int(opset))?.sinceVersion,
           let older = versions.last(where: { $0 < current }) {
            result.append(Mutant(kind: "function-opset-mismatch", base: base, model: wrapped(node, functionOpset: Int64(older)), bytes: nil,
                                 blame: .nodes(["body_node"])))
        }
        if case let .tensor(type, shape)? = model.graph.outputs.first?.type?.type {
            var copy = wrapped(node)
            copy.graph.outputs[0].type = TypeInfo(.tensor(elementType: otherType(than: type), shape: shape))
            result.append(Mutant(kind: "function-output-type", base: base, model: copy, bytes: nil, blame: .nodes(["call"])))
        }
        return result
    }

    // MARK: Helpers

    private func wrongKind(of value: AttributeValue) -> AttributeValue {
        switch value {
        case .int(let v): .float(Float(v))
        case .float(let v): .int(Int64(v))
        case .ints(let v): .floats(v.map { Float($0) })
        case .floats: .ints([1])
        case .string: .int(1)
        case .strings: .string(Array("x".utf8))
        default: .int(0)
        }
    }

    private func otherType(than type: DataType) -> DataType {
        type == .float ? .double : .float
    }

    private func readsInSubgraph(_ node: Node, _ name: String) -> Bool {
        node.subgraphs.contains { graph in graph.nodes.contains { $0.inputs.contains(name) || readsInSubgraph($0, name) } }
    }

    /// Labels of the nodes that read `name` and of every node downstream of them (with the nodes
    /// of their subgraphs, where the error may surface).
    private func downstream(of name: String, in graph: Graph) -> Set<String> {
        var reached: Set<String> = [name]
        var labels: Set<String> = []
        for node in graph.nodes where node.inputs.contains(where: reached.contains) || reached.contains(where: { readsInSubgraph(node, $0) }) {
            labels.insert(node.label)
            labels.formUnion(subgraphLabels(of: node))
            reached.formUnion(node.outputs)
        }
        return labels
    }

    private func subgraphLabels(of node: Node) -> Set<String> {
        Set(node.subgraphs.flatMap { graph in graph.nodes.flatMap { [$0.label] + subgraphLabels(of: $0) } })
    }

    /// The label of node `index` and of every node downstream of its outputs.
    private func downstream(ofNode index: Int, in graph: Graph) -> Set<String> {
        var reached = Set(graph.nodes[index].outputs)
        var labels: Set<String> = [graph.nodes[index].label]
        for node in graph.nodes[(index + 1)...] where node.inputs.contains(where: reached.contains) || reached.contains(where: { readsInSubgraph(node, $0) }) {
            labels.insert(node.label)
            reached.formUnion(node.outputs)
        }
        return labels
    }

    /// Makes the earliest node that a later one depends on read that later node's output.
    private func cycle(in model: Model) -> (model: Model, label: String)? {
        let nodes = model.graph.nodes
        for last in nodes.indices.reversed() {
            var needed = Set(nodes[last].inputs)
            for first in (0..<last).reversed() {
                guard nodes[first].outputs.contains(where: needed.contains) else { continue }
                needed.formUnion(nodes[first].inputs)
                if let slot = nodes[first].inputs.firstIndex(where: { !$0.isEmpty }), let name = nodes[last].outputs.first(where: { !$0.isEmpty }) {
                    var copy = model
                    copy.graph.nodes[first].inputs[slot] = name
                    return (copy, copy.graph.nodes[first].label)
                }
            }
        }
        return nil
    }

    /// The model's bytes with one initializer's first dimension grown by one (its data left as is).
    private func initializerSizeMismatch(_ model: Model, tensor name: String) -> Data? {
        guard let data = try? ONNXModelFile.encode(model), var proto = try? Onnx_ModelProto(serializedBytes: data),
              let index = proto.graph.initializer.firstIndex(where: { $0.name == name }) else { return nil }
        if proto.graph.initializer[index].dims.isEmpty {
            proto.graph.initializer[index].dims = [2]
        } else {
            proto.graph.initializer[index].dims[0] += 1
        }
        return try? proto.serializedBytes()
    }

    /// Subgraph nodes that read a value defined after their control-flow node, or inside a sibling
    /// branch; and an outer node that reads a value defined only inside a subgraph.
    private func scopingMutants(of model: Model, named base: String, generator: inout SplitMix64) -> [Mutant] {
        var result: [Mutant] = []
        let nodes = model.graph.nodes
        guard let owner = nodes.indices.first(where: { !nodes[$0].subgraphs.isEmpty }) else { return [] }
        let attributes = nodes[owner].attributes.indices.filter { !nodes[owner].attributes[$0].subgraphs.isEmpty }
        guard let slot = attributes.first, case .graph(let body) = nodes[owner].attributes[slot].value else { return [] }
        if let inner = body.nodes.indices.first(where: { body.nodes[$0].inputs.contains { !$0.isEmpty } }) {
            let laterName = nodes[(owner + 1)...].lazy.compactMap { $0.outputs.first { !$0.isEmpty } }.first
            let siblingName = attributes.dropFirst().lazy.compactMap { index -> String? in
                guard case .graph(let sibling)? = Optional(nodes[owner].attributes[index].value) else { return nil }
                return sibling.nodes.lazy.compactMap { $0.outputs.first { !$0.isEmpty } }.first
            }.first
            if let name = laterName ?? siblingName {
                var mutated = body
                let position = mutated.nodes[inner].inputs.firstIndex { !$0.isEmpty } ?? 0
                mutated.nodes[inner].inputs[position] = name
                var copy = model
                copy.graph.nodes[owner].attributes[slot].value = .graph(mutated)
                result.append(Mutant(kind: "subgraph-out-of-scope", base: base, model: copy, bytes: nil,
                                     blame: .nodes([mutated.nodes[inner].label, nodes[owner].label])))
            }
        }
        if let innerName = body.nodes.lazy.compactMap({ $0.outputs.first { !$0.isEmpty } }).first,
           let reader = nodes.indices.first(where: { $0 > owner && nodes[$0].inputs.contains { !$0.isEmpty } }) {
            var copy = model
            let position = copy.graph.nodes[reader].inputs.firstIndex { !$0.isEmpty } ?? 0
            copy.graph.nodes[reader].inputs[position] = innerName
            result.append(Mutant(kind: "outer-reads-subgraph-value", base: base, model: copy, bytes: nil,
                                 blame: .nodes([copy.graph.nodes[reader].label])))
        }
        return result
    }
}

/// The schema registry the mutator consults (an op's first version, for future-opset mutants).
enum GraphCheckerSchemas {
    static let registry = OpSchemaRegistry.standard
}
