import ModelIR

/// The derivative rules `Gradient` knows, one file each under `Derivatives/`, and the operators
/// through which no gradient flows.
enum DerivativeRules {
    static let all: [any DerivativeRule.Type] = [
        AddDerivative.self, SubDerivative.self, MulDerivative.self, DivDerivative.self, NegDerivative.self,
        SumDerivative.self, PowDerivative.self, AbsDerivative.self,
        IdentityDerivative.self, CastDerivative.self,
        ReshapeDerivative.self, FlattenDerivative.self, SqueezeDerivative.self, UnsqueezeDerivative.self,
        TransposeDerivative.self,
        MatMulDerivative.self, GemmDerivative.self,
        ConcatDerivative.self,
        ReluDerivative.self, LeakyReluDerivative.self, SigmoidDerivative.self, TanhDerivative.self, SoftmaxDerivative.self,
        ExpDerivative.self, LogDerivative.self, SqrtDerivative.self,
        ReduceSumDerivative.self, ReduceMeanDerivative.self,
    ]

    private static let table: [String: any DerivativeRule.Type] = Dictionary(
        all.map { (key(domain: $0.domain, opType: $0.opType), $0) }, uniquingKeysWith: { first, _ in first })

    private static func key(domain: String, opType: String) -> String { "\(Node.canonicalDomain(domain))::\(opType)" }

    /// The rule for `opType` of `domain`, or nil.
    static func rule(domain: String, opType: String) -> (any DerivativeRule.Type)? {
        table[key(domain: domain, opType: opType)]
    }

    /// The operators with a rule, as `op` or `domain.op`, sorted.
    static var operators: [String] {
        all.map { Node.canonicalDomain($0.domain).isEmpty ? $0.opType : "\($0.domain).\($0.opType)" }.sorted()
    }

    /// Default-domain operators whose outputs do not depend differentiably on their inputs: they
    /// read only shapes (`Shape`, `Size`, the `*Like` generators), return integers or booleans
    /// (comparisons, logic, `ArgMax`, `NonZero`), or are piecewise constant (`Floor`, `Ceil`,
    /// `Round`, `Sign`, whose derivative is zero wherever it exists). A gradient stops at them.
    static let nonDifferentiable: Set<String> = [
        "Shape", "Size", "EyeLike", "RandomNormalLike", "RandomUniformLike", "ConstantOfShape",
        "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Not", "And", "Or", "Xor",
        "IsNaN", "IsInf", "ArgMax", "ArgMin", "NonZero",
        "Floor", "Ceil", "Round", "Sign",
    ]
}
