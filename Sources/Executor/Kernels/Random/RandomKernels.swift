/// Random generators; with a `seed` they reproduce numpy's legacy `RandomState`.
enum RandomKernels {
    static let all: [any Kernel.Type] = [
        RandomUniform_1.self, RandomUniformLike_1.self, Bernoulli_15.self,
    ]
}
