/// Sequence and optional values.
enum SequenceKernels {
    static let all: [any Kernel.Type] = [
        SequenceConstruct_11.self, SequenceEmpty_11.self, SequenceAt_11.self, SequenceInsert_11.self, SequenceErase_11.self,
        SequenceLength_11.self, ConcatFromSequence_11.self, SplitToSequence_11.self,
        SequenceMap_17.self, Optional_15.self, OptionalHasElement_15.self, OptionalGetElement_15.self,
    ]
}
