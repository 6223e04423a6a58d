/// Windows and other signal-processing operators.
enum SignalKernels {
    static let all: [any Kernel.Type] = [
        HannWindow_17.self, HammingWindow_17.self, BlackmanWindow_17.self, DFT_17.self, DFT_20.self, STFT_17.self, MelWeightMatrix_17.self,
    ]
}
