import ModelIR

/// A constant argument of an operation call (`3.0`, `[1, 2]`, a serialized NumPy array) as numbers
/// with their shape.
struct KerasConstant {
    var values: [Double]
    var shape: [Int]
    /// True for a float dtype or a non-integral value. JSON keeps `3.0` and `3` apart only in text, so
    /// an integral Python float counts as an integer: it then takes the dtype of the tensor it meets.
    var isFloat: Bool

    /// Reads a number, a boolean, a nested list of numbers or a serialized array
    /// (`{"class_name": "__numpy__" or "__tensor__", "config": {"value": …, "dtype": …}}`); nil for anything else.
    init?(_ json: KerasJSON) {
        var explicitFloat: Bool?
        var content = json
        if ["__numpy__", "__tensor__"].contains(json["class_name"]?.string ?? ""), let value = json["config"]?["value"] {
            content = value
            if let dtype = json["config"]?["dtype"]?.string { explicitFloat = dtype.hasPrefix("float") || dtype.hasPrefix("bfloat") }
        }
        var shape: [Int] = []
        var level = content
        while case .array(let items) = level {
            shape.append(items.count)
            guard let first = items.first else { break }
            level = first
        }
        guard let values = KerasConstant.flatten(content), values.count == (shape.reduce(1, *)) else { return nil }
        self.values = values
        self.shape = shape
        let integral = values.allSatisfy { $0.rounded() == $0 }
        isFloat = explicitFloat ?? !integral
    }

    private static func flatten(_ json: KerasJSON) -> [Double]? {
        switch json {
        case .number(let value): return [value]
        case .bool(let value): return [value ? 1 : 0]
        case .array(let items):
            var result: [Double] = []
            for item in items {
                guard let values = flatten(item) else { return nil }
                result += values
            }
            return result
        default: return nil
        }
    }

    var count: Int { values.count }
}

/// One operand of an element-wise operation: a tensor, or a constant.
enum KerasOperand {
    case tensor(KerasValue)
    case constant(KerasConstant)
}

extension KerasLayerCall {
    /// The positional argument at `index`, or the keyword argument `keyword`, as an operand.
    func operand(_ index: Int, keyword: String? = nil) throws(KerasImportError) -> KerasOperand {
        let argument: KerasArgument<KerasValue>
        if index < arguments.positional.count {
            argument = arguments.positional[index]
        } else if let keyword, let given = arguments.keyword[keyword] {
            argument = given
        } else {
            throw invalid("expects an argument number \(index + 1)\(keyword.map { " ('\($0)')" } ?? ""), got \(arguments.positional.count)")
        }
        if case .tensor(let value) = argument { return .tensor(value) }
        guard let json = argument.json, let constant = KerasConstant(json) else {
            throw unsupported("argument \(index + 1) of this form", "pass a tensor or a numeric constant")
        }
        return .constant(constant)
    }

    /// An operation's parameter: from the operation's configuration (where Keras records the
    /// arguments of its constructor), else the keyword argument, else the positional argument at `position`.
    func parameter(_ key: String, position: Int? = nil) -> KerasJSON? {
        if let value = config[key] { return value }
        if let value = arguments.keyword[key]?.json, value != .null { return value }
        if let position, position < arguments.positional.count, let value = arguments.positional[position].json, value != .null {
            return value
        }
        return nil
    }

    /// An initializer holding `constant` as `dataType`.
    func constantTensor(_ constant: KerasConstant, as dataType: DataType, what: String) throws(KerasImportError) -> String {
        do {
            let tensor = try Tensor(name: "", converting: constant.values, to: dataType, shape: constant.shape)
            return graph.initializer("\(scopedName)/\(what)", tensor)
        } catch {
            throw invalid("the constant \(what) cannot be stored as \(dataType): \(error)")
        }
    }

    /// A Keras axis (negative counts from the end) of a tensor of `rank`, checked.
    func axis(_ axis: Int, rank: Int) throws(KerasImportError) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0, resolved < rank else { throw invalid("axis \(axis) does not fit a tensor of rank \(rank)") }
        return resolved
    }

    /// The `axis` parameter as a sorted list of non-negative axes; nil when it is absent (all axes).
    func axesParameter(_ key: String = "axis", rank: Int, position: Int? = nil) throws(KerasImportError) -> [Int]? {
        guard let raw = parameter(key, position: position) else { return nil }
        guard let list = raw.ints else { throw invalid("'\(key)' is not an integer or a list of integers") }
        var axes: [Int] = []
        for value in list { axes.append(try axis(value, rank: rank)) }
        return Array(Set(axes)).sorted()
    }
}
