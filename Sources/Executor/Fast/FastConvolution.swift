/// Float 2-D convolution without bias: depthwise directly, 1×1 unit-stride unpadded as one
/// `sgemm` per group on the input itself, the rest as `Im2col` then `sgemm`.
enum FastConvolution {
    static func run(x: UnsafePointer<Float>, batch: Int, channels: Int, w: UnsafePointer<Float>, maps: Int, group: Int,
                    geometry: SpatialGeometry, output: UnsafeMutablePointer<Float>) throws {
        let groupChannels = channels / group, groupMaps = maps / group
        let taps = geometry.kernel.reduce(1, *)
        let positions = geometry.output.reduce(1, *)
        let inputSize = geometry.input.reduce(1, *)
        guard positions > 0 else { return }
        if groupChannels == 1 && groupMaps == 1 {
            DepthwiseConv.run(x: x, planes: batch * channels, channels: channels, w: w, geometry: geometry, output: output)
            return
        }
        let rows = groupChannels * taps
        let pointwise = taps == 1 && geometry.strides.allSatisfy { $0 == 1 }
            && geometry.padBegin.allSatisfy { $0 == 0 } && geometry.output == geometry.input
        let columns = UnsafeMutablePointer<Float>.allocate(capacity: pointwise ? 1 : max(rows * positions, 1))
        defer { columns.deallocate() }
        for n in 0..<batch {
            for g in 0..<group {
                let source = x + (n * channels + g * groupChannels) * inputSize
                if !pointwise { Im2col.run(source, channels: groupChannels, geometry: geometry, columns: columns) }
                try ParallelGemm.run(m: groupMaps, n: positions, k: rows, a: w + g * groupMaps * rows, lda: max(rows, 1),
                                     b: pointwise ? source : UnsafePointer(columns), ldb: positions,
                                     c: output + (n * maps + g * groupMaps) * positions, ldc: positions)
            }
        }
    }
}

/// `C = A·B` (row-major, no transposes) split over the executor's threads: by column blocks of C
/// when it is wide, else by row blocks, each block one single-threaded `sgemm`. OpenBLAS's own
/// threads are paused meanwhile, so the two pools never compete for the cores.
enum ParallelGemm {
    static func run(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                    c: UnsafeMutablePointer<Float>, ldc: Int) throws {
        let threads = ExecutorThreads.count
        guard threads > 1, m * n * k >= 1 << 18, m > 0, n > 0, k > 0,
              [m, n, k, lda, ldb, ldc].allSatisfy({ $0 <= Int(Int32.max) }) else {
            try BLAS.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: lda,
                          b: b, ldb: ldb, beta: 0, c: c, ldc: ldc)
            return
        }
        let byColumns = n >= 32 * threads
        let extent = byColumns ? n : m
        let blocks = min(threads, extent)
        let (aAddress, bAddress, cAddress) = (UInt(bitPattern: a), UInt(bitPattern: b), UInt(bitPattern: c))
        ExecutorThreads.withSingleThreadedBLAS {
            ParallelFor.run(blocks) { chunk in
                guard let a = UnsafePointer<Float>(bitPattern: aAddress), let b = UnsafePointer<Float>(bitPattern: bAddress),
                      let c = UnsafeMutablePointer<Float>(bitPattern: cAddress) else { return }
                for block in chunk {
                    // Column blocks start on multiples of 16 floats (64 bytes).
                    let align = byColumns ? 16 : 1
                    let start = min(extent, (extent * block / blocks + align - 1) / align * align)
                    let end = block == blocks - 1 ? extent : min(extent, (extent * (block + 1) / blocks + align - 1) / align * align)
                    guard start < end else { continue }
                    if byColumns {
                        try? BLAS.gemm(transposeA: false, transposeB: false, m: m, n: end - start, k: k, alpha: 1, a: a, lda: lda,
                                       b: b + start, ldb: ldb, beta: 0, c: c + start, ldc: ldc)
                    } else {
                        try? BLAS.gemm(transposeA: false, transposeB: false, m: end - start, n: n, k: k, alpha: 1, a: a + start * lda,
                                       lda: lda, b: b, ldb: ldb, beta: 0, c: c + start * ldc, ldc: ldc)
                    }
                }
            }
        }
    }
}

/// 2-D im2col for float: row `c·kH·kW + ky·kW + kx` holds, for every output position, the input
/// value under that tap (zero in the padding); unit-stride rows are copied as runs.
enum Im2col {
    static func run(_ source: UnsafePointer<Float>, channels: Int, geometry: SpatialGeometry, columns: UnsafeMutablePointer<Float>) {
        let inH = geometry.input[0], inW = geometry.input[1], outH = geometry.output[0], outW = geometry.output[1]
        let kH = geometry.kernel[0], kW = geometry.kernel[1]
        let sH = geometry.strides[0], sW = geometry.strides[1], dH = geometry.dilations[0], dW = geometry.dilations[1]
        let pH = geometry.padBegin[0], pW = geometry.padBegin[1]
        let positions = outH * outW
        ParallelFor.run(channels, grain: max(1, 32768 / max(kH * kW * positions, 1))) { chunk in
        for c in chunk {
            var row = columns + c * kH * kW * positions
            let plane = source + c * inH * inW
            for ky in 0..<kH {
                for kx in 0..<kW {
                    let offset = kx * dW - pW
                    let first = offset >= 0 ? 0 : min(outW, (-offset + sW - 1) / sW)
                    let last = inW - 1 - offset < 0 ? -1 : min(outW - 1, (inW - 1 - offset) / sW)
                    for oy in 0..<outH {
                        let line = row + oy * outW
                        let iy = oy * sH - pH + ky * dH
                        guard iy >= 0 && iy < inH, first <= last else {
                            line.update(repeating: 0, count: outW)
                            continue
                        }
                        if first > 0 { line.update(repeating: 0, count: first) }
                        let inputRow = plane + iy * inW + offset
                        if sW == 1 {
                            (line + first).update(from: inputRow + first, count: last - first + 1)
                        } else {
                            for ox in first...last { line[ox] = inputRow[ox * sW] }
                        }
                        if last + 1 < outW { (line + last + 1).update(repeating: 0, count: outW - last - 1) }
                    }
                    row += positions
                }
            }
        }
        }
    }
}
