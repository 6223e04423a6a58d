import CBLAS

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
                try BLAS.gemm(transposeA: false, transposeB: false, m: groupMaps, n: positions, k: rows, alpha: 1,
                              a: w + g * groupMaps * rows, lda: max(rows, 1), b: pointwise ? source : UnsafePointer(columns),
                              ldb: positions, beta: 0, c: output + (n * maps + g * groupMaps) * positions, ldc: positions)
            }
        }
    }
}

/// `C = alpha · op(A) · op(B) + beta · C` (row-major) split over the executor's threads: by column
/// blocks of C when it is wide, else by row blocks, each block one single-threaded `sgemm`.
enum ParallelGemm {
    /// Products below this many multiply-adds run on the calling thread alone.
    static let minimumWork = 1 << 16

    /// False when the product is too small to split or there is one thread; the caller then runs it whole.
    static func run(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                    b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) -> Bool {
        let threads = ExecutorThreads.count
        guard threads > 1, m * n * k >= minimumWork, m > 0, n > 0, k > 0,
              [m, n, k, lda, ldb, ldc].allSatisfy({ $0 <= Int(Int32.max) }) else { return false }
        let byColumns = n >= 32 * threads || m < threads
        let extent = byColumns ? n : m
        let blocks = min(threads, extent)
        guard blocks > 1 else { return false }
        // Column blocks start on multiples of 16 floats (64 bytes).
        let align = byColumns ? 16 : 1
        ParallelFor.run(blocks) { chunk in
            for block in chunk {
                let start = min(extent, (extent * block / blocks + align - 1) / align * align)
                let end = block == blocks - 1 ? extent : min(extent, (extent * (block + 1) / blocks + align - 1) / align * align)
                guard start < end else { continue }
                if byColumns {
                    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                                Int32(m), Int32(end - start), Int32(k), alpha, a, Int32(lda),
                                transposeB ? b + start * ldb : b + start, Int32(ldb), beta, c + start, Int32(ldc))
                } else {
                    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                                Int32(end - start), Int32(n), Int32(k), alpha, transposeA ? a + start : a + start * lda, Int32(lda),
                                b, Int32(ldb), beta, c + start * ldc, Int32(ldc))
                }
            }
        }
        return true
    }

    /// `y = alpha · op(A) · x` for A of `rows`×`columns` (row-major), split over the threads by output elements.
    static func gemv(transpose: Bool, rows: Int, columns: Int, alpha: Float, a: UnsafePointer<Float>,
                     x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        let outputs = transpose ? columns : rows
        ParallelFor.run(outputs, grain: max(16, minimumWork / max(transpose ? rows : columns, 1))) { chunk in
            if transpose {
                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(rows), Int32(chunk.count), alpha, a + chunk.lowerBound,
                            Int32(columns), x, 1, 0, y + chunk.lowerBound, 1)
            } else {
                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(chunk.count), Int32(columns), alpha, a + chunk.lowerBound * columns,
                            Int32(columns), x, 1, 0, y + chunk.lowerBound, 1)
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
