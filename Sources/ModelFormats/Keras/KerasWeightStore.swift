import ModelIR

/// Where a Keras file keeps each layer's weights, in the order of the layer's `weights` list.
protocol KerasWeightStore {
    /// The weights of the layer `layer` inside the nested models `scope` (outermost first; empty
    /// for a layer of the saved model itself), in Keras's `layer.weights` order.
    func weights(scope: [String], layer: String) throws(ModelFormatError) -> [Tensor]

    /// Tells the store the layers of the model at `scope` in Keras's order, with their classes.
    func register(scope: [String], layers: [(name: String, className: String)], sequential: Bool)

    /// True when a layer's weights come as its own variables, then its sublayers' grouped per
    /// sublayer in `KerasV3WeightStore.groupOrder` (a `.keras` file), rather than in the order of
    /// Keras's `layer.weights`.
    var groupsSublayerWeights: Bool { get }
}

extension KerasWeightStore {
    func register(scope: [String], layers: [(name: String, className: String)], sequential: Bool) {}

    var groupsSublayerWeights: Bool { false }
}

/// The legacy HDF5 layout (`model.save("x.h5")`, tf.keras 2 and Keras 3): `model_weights/<layer>`
/// groups whose `weight_names` attribute lists the datasets in order, relative to the group.
struct KerasLegacyWeightStore: KerasWeightStore {
    let file: HDF5File
    let root: String

    init(file: HDF5File) throws(ModelFormatError) {
        self.file = file
        root = try file.contains("model_weights") ? "/model_weights" : "/"
    }

    func weights(scope: [String], layer: String) throws(ModelFormatError) -> [Tensor] {
        let top = scope.first ?? layer
        let group = root == "/" ? "/\(top)" : "\(root)/\(top)"
        guard try file.contains(group), try file.hasAttribute("weight_names", of: group) else { return [] }
        let value = try file.readAttribute("weight_names", of: group)
        guard let strings = value.strings else { return [] }
        var names = strings.map { String(decoding: $0, as: UTF8.self) }
        if !scope.isEmpty {
            names = names.filter { $0.split(separator: "/").dropLast().contains { $0 == layer } }
        }
        var tensors: [Tensor] = []
        for name in names {
            tensors.append(try file.readDataset(at: "\(group)/\(name)"))
        }
        return tensors
    }
}

/// The Keras 3 `model.weights.h5` inside a `.keras` zip: `layers/<auto name>/vars/<i>`, where a
/// `vars` group's `name` attribute holds the layer's own name; nested models and wrapped layers
/// are groups below their layer's group.
final class KerasV3WeightStore: KerasWeightStore {
    let file: HDF5File
    /// Per model scope, the group name Keras gives each layer when the file names none: the
    /// snake-cased class name, numbered from the second of a kind on (`dense`, `dense_1`).
    private var generatedNames: [[String]: [String: String]] = [:]

    init(file: HDF5File) {
        self.file = file
    }

    var groupsSublayerWeights: Bool { true }

    func register(scope: [String], layers: [(name: String, className: String)], sequential: Bool) {
        var used: [String: Int] = [:]
        var names: [String: String] = [:]
        for layer in layers where !(sequential && layer.className == "InputLayer") {
            var name = KerasV3WeightStoreNaming.snakeCase(layer.className)
            if let count = used[name] {
                used[name] = count + 1
                name += "_\(count + 1)"
            } else {
                used[name] = 0
            }
            names[layer.name] = name
        }
        generatedNames[scope] = names
    }


    func weights(scope: [String], layer: String) throws(ModelFormatError) -> [Tensor] {
        var group = ""
        for (depth, model) in scope.enumerated() {
            guard let found = try child(named: model, under: group, scope: Array(scope.prefix(depth))) else { return [] }
            group = found
        }
        guard let found = try child(named: layer, under: group, scope: scope) else { return [] }
        return try collect(found)
    }

    /// The group under `parent/layers` whose `vars` group is named `name`.
    private func child(named name: String, under parent: String, scope: [String]) throws(ModelFormatError) -> String? {
        let layers = "\(parent)/layers"
        let index = try layerIndex(of: layers)
        if let group = index.byVarsName[name] { return group }
        // Files without name attributes: the group Keras named after the layer's class.
        if let generated = generatedNames[scope]?[name], index.groups.contains(generated) {
            return "\(layers)/\(generated)"
        }
        return nil
    }

    /// The member groups of one `layers` group and the layer names their `vars` groups carry.
    private struct LayerIndex {
        var groups: Set<String> = []
        var byVarsName: [String: String] = [:]
    }

    /// Per `layers` group path, its index, read once: a lookup per layer would otherwise read the
    /// `name` attribute of every sibling, quadratic in the number of layers.
    private var layerIndexes: [String: LayerIndex] = [:]

    private func layerIndex(of layers: String) throws(ModelFormatError) -> LayerIndex {
        if let cached = layerIndexes[layers] { return cached }
        var index = LayerIndex()
        if try file.contains(layers) {
            for member in try file.members(of: layers) where member.kind == .group {
                index.groups.insert(member.name)
                let vars = "\(layers)/\(member.name)/vars"
                if try file.contains(vars), try file.hasAttribute("name", of: vars),
                   let layerName = try? file.readStringAttribute("name", of: vars), index.byVarsName[layerName] == nil {
                    index.byVarsName[layerName] = "\(layers)/\(member.name)"
                }
            }
        }
        layerIndexes[layers] = index
        return index
    }

    /// The datasets of `group/vars` in index order, then those of wrapped layers and cells.
    private func collect(_ group: String) throws(ModelFormatError) -> [Tensor] {
        var tensors: [Tensor] = []
        let vars = "\(group)/vars"
        if try file.contains(vars) {
            let datasets = try file.members(of: vars).filter { $0.kind == .dataset }
                .sorted { (Int($0.name) ?? 0) < (Int($1.name) ?? 0) }
            for dataset in datasets { tensors.append(try file.readDataset(at: "\(vars)/\(dataset.name)")) }
        }
        let children = try file.members(of: group).filter { $0.kind == .group && $0.name != "vars" }.map(\.name)
        for child in KerasV3WeightStore.groupOrder(children) { tensors += try collect("\(group)/\(child)") }
        return tensors
    }

    /// Sublayer groups in the order of the layer's `weights` where it is known (Bidirectional, RNN,
    /// wrappers, MultiHeadAttention, GroupedQueryAttention); any others follow sorted by name.
    static func groupOrder(_ names: [String]) -> [String] {
        let preferred = ["forward_layer", "backward_layer", "cell", "layer",
                         "query_dense", "_query_dense", "key_dense", "_key_dense", "_gate_dense", "value_dense", "_value_dense",
                         "output_dense", "_output_dense"]
        return preferred.filter(names.contains) + names.filter { !preferred.contains($0) }.sorted()
    }
}

/// How Keras 3 names the weight groups of layers in a `.keras` file.
public enum KerasV3WeightStoreNaming {
    /// Keras's `to_snake_case`: "BatchNormalization" → "batch_normalization", "Conv2D" → "conv2d", "PReLU" → "p_re_lu".
    public static func snakeCase(_ className: String) -> String {
        let characters = Array(className.filter { $0.isLetter || $0.isNumber || $0 == "_" })
        var firstPass: [Character] = []
        for (index, character) in characters.enumerated() {
            if index > 0, character.isUppercase, index + 1 < characters.count, characters[index + 1].isLowercase {
                firstPass.append("_")
            }
            firstPass.append(character)
        }
        var result: [Character] = []
        for (index, character) in firstPass.enumerated() {
            if index > 0, character.isUppercase, firstPass[index - 1].isLowercase { result.append("_") }
            result.append(character)
        }
        return String(result).lowercased()
    }
}
