#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A oneDNN primitive made for one shape of its inputs.
protocol OneDNNPrimitive: AnyObject {
    /// oneDNN's name for the implementation, e.g. "brgconv:avx512_core".
    var implementation: String { get }
}

/// The primitives a step has made so far, by the shape they were made for (nil where oneDNN made
/// none), shared by concurrent runs.
final class OneDNNPrimitives<Primitive: OneDNNPrimitive>: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var byShape: [[Int]: Primitive?] = [:]

    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }

    /// The primitive made for `shape`, made by `make` the first time.
    func primitive(for shape: [Int], make: () throws -> Primitive?) rethrows -> Primitive? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        if let known = byShape[shape] { return known }
        let made = try make()
        byShape[shape] = made
        return made
    }

    /// The implementations of the primitives made so far.
    var implementations: [String] {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return byShape.values.compactMap { $0?.implementation }
    }
}
