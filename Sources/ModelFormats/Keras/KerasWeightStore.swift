import ModelIR

/// Where a Keras file keeps each layer's weights, in the order of the layer's `weights` list.
protocol KerasWeightStore {
    /// The weights of the layer `layer` inside the nested models `scope` (outermost first; empty
    /// for a layer of the saved model itself), in Keras's `layer.weights` order.
    func weights(scope: [String], layer: String) throws(ModelFormatError) -> [Tensor]
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
struct KerasV3WeightStore: KerasWeightStore {
    let file: HDF5File

    func weights(scope: [String], layer: String) throws(ModelFormatError) -> [Tensor] {
        var group = ""
        for model in scope {
            guard let found = try child(named: model, under: group) else { return [] }
            group = found
        }
        guard let found = try child(named: layer, under: group) else { return [] }
        return try collect(found)
    }

    /// The group under `parent/layers` whose `vars` group is named `name`.
    private func child(named name: String, under parent: String) throws(ModelFormatError) -> String? {
        let layers = "\(parent)/layers"
        guard try file.contains(layers) else { return nil }
        let members = try file.members(of: layers).filter { $0.kind == .group }
        for member in members {
            let vars = "\(layers)/\(member.name)/vars"
            if try file.contains(vars), try file.hasAttribute("name", of: vars),
               (try? file.readStringAttribute("name", of: vars)) == name {
                return "\(layers)/\(member.name)"
            }
        }
        // Files without name attributes: Keras names the groups after the layers' own names
        // when they are unique, so try that.
        if members.contains(where: { $0.name == name }) { return "\(layers)/\(name)" }
        return nil
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
        let preferred = ["forward_layer", "backward_layer", "cell", "layer"]
        let children = try file.members(of: group).filter { $0.kind == .group && $0.name != "vars" }.map(\.name)
        let ordered = preferred.filter(children.contains) + children.filter { !preferred.contains($0) }.sorted()
        for child in ordered { tensors += try collect("\(group)/\(child)") }
        return tensors
    }
}
