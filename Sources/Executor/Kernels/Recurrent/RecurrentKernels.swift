/// Recurrent layers.
enum RecurrentKernels {
    static let all: [any Kernel.Type] = [
        RNN_7.self, GRU_7.self, LSTM_7.self,
    ]
}
