import ModelIR

/// `Permute` of the non-batch axes (`dims` counts from 1).
enum PermuteMapper: KerasLayerMapper {
    static let classNames = ["Permute"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = call.graph.nativeValue(try call.input())
        guard let dims = call.config["dims"]?.ints, dims.sorted() == Array(1..<x.rank) else {
            throw call.invalid("dims does not permute the axes 1…\(x.rank - 1)")
        }
        let perm = [0] + dims
        let output = call.graph.transpose(x.name, perm: perm, hint: call.hint("Transpose"))
        return [x.with(name: output, shape: perm.map { x.shape[$0] })]
    }
}
