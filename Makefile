# ModelGate: the two set-up commands are `make run` and `make test`; each installs what it needs.
SHELL := /bin/bash
APT_PACKAGES := libhdf5-dev libopenblas-dev libdnnl-dev pkg-config
CORPUS ?= Golden
SWIFT_BUILD_FLAGS ?=

.PHONY: run run-all test deps build release suite fuzz test-sanitize e2e clean tflite-venv zoo

## Install the system libraries ModelGate links against (Debian packages), if missing.
deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	swift build $(SWIFT_BUILD_FLAGS)

release: deps
	swift build -c release $(SWIFT_BUILD_FLAGS)

## The main job on the bundled corpus: every model × built-in path of $(CORPUS)/ → Reports/<run-id>/
## (Reports/latest). Needs no Python. RUN_FLAGS passes options through, e.g. RUN_FLAGS="--jobs 1".
BUILTIN_PATHS := fp32,fused,fp16,int8-dynamic,int8-static,prune-50
RUN_FLAGS ?=
run: deps
	swift build -c release --product modelgate $(SWIFT_BUILD_FLAGS)
	@bin=$$(swift build -c release --show-bin-path)/modelgate; \
	"$$bin" run --corpus $(CORPUS) --paths $(BUILTIN_PATHS) $(RUN_FLAGS)

## Every path of the corpus manifest, the external ones too (TensorFlow Lite conversions by
## TensorFlow's converter, which needs the TensorFlow venv: made once, conversions cached in .cache/tflite/).
run-all: deps tflite-venv
	swift build -c release --product modelgate $(SWIFT_BUILD_FLAGS)
	@bin=$$(swift build -c release --show-bin-path)/modelgate; \
	"$$bin" run --corpus $(CORPUS) $(RUN_FLAGS)

## The TensorFlow venv (.cache/venv-corpus) the corpus's tflite-* paths convert with, made once if missing.
tflite-venv:
	@[ -x .cache/venv-corpus/bin/python ] || bash Tools/corpus/setup-venv.sh >/dev/null

## The real-architecture zoo corpus in .cache/zoo/ (keras.applications, Keras attention/recurrent models,
## torchvision, Hugging Face transformers, TensorFlow Lite conversions), built from the frameworks' own
## constructors with the corpus venv; ZOO_ONLY=pattern,… narrows it. Run it with
## `modelgate run --corpus .cache/zoo --paths fp32`.
ZOO_ONLY ?=
zoo:
	ZOO_ONLY="$(ZOO_ONLY)" bash Tools/zoo/make_zoo.sh

## The ONNX backend test data under .cache/onnx-suite (Python venv under .cache/venv).
suite:
	bash Tools/onnx-suite.sh

test: deps suite
	swift build --build-tests $(SWIFT_BUILD_FLAGS)
	swift test --skip-build --disable-swift-testing $(SWIFT_BUILD_FLAGS)

## report.html checked in headless Chromium (installed if missing); screenshot in .cache/e2e/report.png.
e2e: deps
	@dpkg-query -W -f='$${Status}' chromium 2>/dev/null | grep -q "install ok installed" || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	bash Tools/e2e/check-report.sh

FUZZ_SECONDS ?= 600
## Seeded mutation fuzzing of the file readers, FUZZ_SECONDS per target; crashing inputs land in .cache/fuzz-crashes/.
fuzz: deps suite
	swift build -c release --product modelgate-fuzz
	@bin=$$(swift build -c release --show-bin-path)/modelgate-fuzz; status=0; \
	for target in onnx hdf5 keras yml tflite; do "$$bin" --target $$target --seconds $(FUZZ_SECONDS) || status=1; done; exit $$status

## The XCTest suite under AddressSanitizer, then ThreadSanitizer, each built in its own folder under .build/.
## SANITIZE_TESTS narrows the run, e.g. SANITIZE_TESTS="--filter ModelFormatsTests". Leak detection is off:
## the leaks it reports are one-time allocations inside Foundation, CoreFoundation and XCTest, and at exit it
## would turn every `modelgate` process the tests start into exit status 1.
SANITIZE_TESTS ?=
test-sanitize: deps suite
	@status=0; for sanitizer in address thread; do \
	  scratch=.build/sanitize-$$sanitizer; \
	  swift build --build-tests --sanitize=$$sanitizer --scratch-path $$scratch $(SWIFT_BUILD_FLAGS) \
	    && ASAN_OPTIONS=detect_leaks=0 swift test --skip-build --sanitize=$$sanitizer --scratch-path $$scratch --disable-swift-testing $(SANITIZE_TESTS) \
	    || { echo "test-sanitize: failures under --sanitize=$$sanitizer"; status=1; }; \
	done; exit $$status

clean:
	rm -rf .build
