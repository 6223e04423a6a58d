import ModelIR

/// Damages valid files the ways real files break and hostile files are built: truncation, bit
/// flips, interesting integers written over varints and sizes, deleted, inserted and repeated chunks.
struct Mutator {
    private static let interesting: [[UInt8]] = [
        [0x00], [0xFF], [0x7F], [0x80], [0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
        [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
        [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
        [0x00, 0x00, 0x00, 0x80], [0xFF, 0xFF, 0xFF, 0x7F], [0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
    ]

    /// A damaged copy of `input`, with 1–4 mutations chosen by `generator`.
    func mutate(_ input: [UInt8], using generator: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            guard !bytes.isEmpty else { return bytes }
            let position = Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<6, using: &generator) {
            case 0:
                bytes.removeSubrange(Int.random(in: 0..<bytes.count, using: &generator)...)
            case 1:
                bytes[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
            case 2:
                let value = Self.interesting.randomElement(using: &generator) ?? [0]
                for (offset, byte) in value.enumerated() where position + offset < bytes.count {
                    bytes[position + offset] = byte
                }
            case 3:
                let length = Int.random(in: 1...min(64, bytes.count - position), using: &generator)
                bytes.removeSubrange(position..<position + length)
            case 4:
                let length = Int.random(in: 1...min(64, bytes.count - position), using: &generator)
                bytes.insert(contentsOf: bytes[position..<position + length], at: position)
            default:
                bytes[position] = UInt8.random(in: 0...255, using: &generator)
            }
        }
        return bytes
    }
}
