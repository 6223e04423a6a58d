/// One argument of a layer or operation call as an inbound node records it: a tensor, a constant
/// (a number, string, boolean, `null` or a serialized NumPy array), or a list or dictionary of
/// arguments. `Tensor` is a `KerasConverter.TensorReference` while the graph is read and a
/// `KerasValue` once the tensors are computed.
indirect enum KerasArgument<Tensor> {
    case tensor(Tensor)
    case constant(KerasJSON)
    case list([KerasArgument<Tensor>])
    case dictionary([String: KerasArgument<Tensor>])

    /// The tensors in the argument, lists in order and dictionaries by sorted key.
    var tensors: [Tensor] {
        switch self {
        case .tensor(let tensor): return [tensor]
        case .constant: return []
        case .list(let items): return items.flatMap(\.tensors)
        case .dictionary(let members): return members.sorted { $0.key < $1.key }.flatMap(\.value.tensors)
        }
    }

    /// The argument with each tensor replaced by `transform(tensor)`.
    func map<Other, Failure: Error>(_ transform: (Tensor) throws(Failure) -> Other) throws(Failure) -> KerasArgument<Other> {
        switch self {
        case .tensor(let tensor): return .tensor(try transform(tensor))
        case .constant(let json): return .constant(json)
        case .list(let items):
            var mapped: [KerasArgument<Other>] = []
            for item in items { mapped.append(try item.map(transform)) }
            return .list(mapped)
        case .dictionary(let members):
            var mapped: [String: KerasArgument<Other>] = [:]
            for (key, value) in members { mapped[key] = try value.map(transform) }
            return .dictionary(mapped)
        }
    }

    /// The constant as JSON: constants as they are, lists of constants as JSON arrays; nil when a
    /// tensor is inside.
    var json: KerasJSON? {
        switch self {
        case .tensor: return nil
        case .constant(let json): return json
        case .list(let items):
            var values: [KerasJSON] = []
            for item in items {
                guard let value = item.json else { return nil }
                values.append(value)
            }
            return .array(values)
        case .dictionary(let members):
            var values: [String: KerasJSON] = [:]
            for (key, member) in members {
                guard let value = member.json else { return nil }
                values[key] = value
            }
            return .object(values)
        }
    }
}

/// The positional and keyword arguments of one call of a layer or operation.
struct KerasCallArguments<Tensor> {
    var positional: [KerasArgument<Tensor>]
    var keyword: [String: KerasArgument<Tensor>]

    init(positional: [KerasArgument<Tensor>], keyword: [String: KerasArgument<Tensor>] = [:]) {
        self.positional = positional
        self.keyword = keyword
    }

    /// The tensors among the positional arguments, in order (what a layer's `inputs` are).
    var positionalTensors: [Tensor] { positional.flatMap(\.tensors) }

    /// Every tensor, positional ones first, then keyword ones by sorted keyword.
    var allTensors: [Tensor] {
        positionalTensors + keyword.sorted { $0.key < $1.key }.flatMap(\.value.tensors)
    }

    /// The keywords whose arguments hold a tensor, sorted.
    var keywordsWithTensors: [String] {
        keyword.filter { !$0.value.tensors.isEmpty }.map(\.key).sorted()
    }

    func map<Other, Failure: Error>(_ transform: (Tensor) throws(Failure) -> Other) throws(Failure) -> KerasCallArguments<Other> {
        var positional: [KerasArgument<Other>] = []
        for argument in self.positional { positional.append(try argument.map(transform)) }
        var keyword: [String: KerasArgument<Other>] = [:]
        for (key, argument) in self.keyword { keyword[key] = try argument.map(transform) }
        return KerasCallArguments<Other>(positional: positional, keyword: keyword)
    }

    /// Reads a serialized argument: `__keras_tensor__` objects become tensors through
    /// `tensor(layer, node, index, dtype)` (dtype: the one the tensor has in Keras, when recorded),
    /// `__tuple__` objects and arrays become lists, other objects with a `class_name` (NumPy arrays,
    /// dtypes) stay constants, plain objects become dictionaries.
    static func argument(_ json: KerasJSON, tensor: (String, Int, Int, String?) -> Tensor) -> KerasArgument<Tensor> {
        switch json {
        case .object(let members):
            let className = members["class_name"]?.string
            if className == "__keras_tensor__", let history = members["config"]?["keras_history"]?.array,
               history.count >= 3, let layer = history[0].string, let node = history[1].int, let index = history[2].int {
                return .tensor(tensor(layer, node, index, members["config"]?["dtype"]?.string))
            }
            if className == "__tuple__", let items = members["config"]?["value"]?.array {
                return .list(items.map { argument($0, tensor: tensor) })
            }
            if className != nil { return .constant(json) }
            return .dictionary(members.mapValues { argument($0, tensor: tensor) })
        case .array(let items):
            return .list(items.map { argument($0, tensor: tensor) })
        default:
            return .constant(json)
        }
    }
}
