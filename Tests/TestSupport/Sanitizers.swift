#if canImport(Glibc)
import Glibc
#endif

/// Whether this process (and the `modelgate` built beside it) runs under AddressSanitizer or
/// ThreadSanitizer (`make test-sanitize`). Their fault handlers turn a crash inside a library into
/// an exit status after a report, so a test that expects death by a signal expects that instead.
public enum Sanitizers {
    public static let areActive: Bool = dlsym(nil, "__asan_init") != nil || dlsym(nil, "__tsan_init") != nil
}
