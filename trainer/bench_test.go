package trainer

import (
	"runtime"
	"testing"

	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/linalg"
)

// BenchmarkIteration is one training iteration (an energy and a generator
// update) of the default run: SPEC §5 toy networks, batch 200, sv + gp,
// the generator's samples as negatives with importance weights
// (ebm.WeightedNegatives); bench/torch_ebm.py times the same iteration in
// PyTorch. The default run adds 10 MALA steps on the iterations whose
// weights degenerate (ebm.DefaultNegatives): sv+gp-resampled times such an
// iteration. The linalg workers follow -cpu, so -cpu 1 is the one-thread
// iteration.
func BenchmarkIteration(b *testing.B) {
	defer linalg.SetWorkers(linalg.Workers())
	linalg.SetWorkers(runtime.GOMAXPROCS(0))
	resampled := ebm.DefaultNegatives
	resampled.Resample = 1 // the chains every iteration
	for _, c := range []struct {
		name         string
		lower, upper string
		negatives    ebm.NegativesConfig
	}{
		{"sv+gp", "sv", "gp", ebm.WeightedNegatives},
		{"sv+gp-resampled", "sv", "gp", resampled},
		{"sv+none", "sv", "none", ebm.WeightedNegatives},
		{"mi+gp", "mi", "gp", ebm.WeightedNegatives},
		{"sv+diffusion", "sv", "diffusion", ebm.WeightedNegatives},
	} {
		b.Run(c.name, func(b *testing.B) {
			cfg := ebm.DefaultConfig()
			cfg.Lower, cfg.Upper, cfg.Negatives = ebm.LowerBound(c.lower), ebm.UpperBound(c.upper), c.negatives
			tr, err := New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tr.Step(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkImageIteration is one training iteration of the default image
// run, ebm.DefaultImageConfig (MNIST, the DCGAN-like conv networks, batch
// 64, sv smin and gp with the smin log-det); bench/torch_image.py times the
// same iteration in PyTorch. The linalg workers follow -cpu.
func BenchmarkImageIteration(b *testing.B) {
	defer linalg.SetWorkers(linalg.Workers())
	linalg.SetWorkers(runtime.GOMAXPROCS(0))
	tr, err := New(ebm.DefaultImageConfig())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := tr.Step(); err != nil { // warm the buffers
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tr.Step(); err != nil {
			b.Fatal(err)
		}
	}
}
