/// String tensors.
enum TextKernels {
    static let all: [any Kernel.Type] = [
        TfIdfVectorizer_9.self, StringNormalizer_10.self, StringConcat_20.self, StringSplit_20.self, RegexFullMatch_20.self,
    ]
}
