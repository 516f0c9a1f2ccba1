package reference

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The suite's sizes: 20000 training, 5000 validation and 20000 test points of
// a 2-D toy set. rings is the toy set (see ringSample); gaussian is N(0, I),
// the worst case for the KDE's pruning.
const benchTrain, benchVal, benchTest = 20000, 5000, 20000

func benchSets() []struct {
	name string
	h    float64 // the bandwidth FitKDE chooses for 20000 points
	draw func(*rand.Rand, int) []float64
} {
	id := []float64{1, 0, 0, 1}
	return []struct {
		name string
		h    float64
		draw func(*rand.Rand, int) []float64
	}{
		{"rings", 0.03, ringSample},
		{"gaussian", 0.19, func(rng *rand.Rand, n int) []float64 { return gaussianSample(rng, n, []float64{0, 0}, id) }},
	}
}

func BenchmarkKDELogDensity(b *testing.B) {
	for _, set := range benchSets() {
		b.Run(set.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			k, err := NewKDE(set.draw(rng, benchTrain), 2, set.h)
			if err != nil {
				b.Fatal(err)
			}
			x := set.draw(rng, benchTest)
			b.ResetTimer()
			for range b.N {
				if _, err := k.LogDensity(x); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkFitKDE(b *testing.B) {
	for _, set := range benchSets() {
		b.Run(set.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			train, val := set.draw(rng, benchTrain), set.draw(rng, benchVal)
			b.ResetTimer()
			for range b.N {
				k, err := FitKDE(train, val, 2)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(k.Bandwidth(), "h")
				b.ReportMetric(float64(len(k.Scan())), "evals")
			}
		})
	}
}

// BenchmarkFitGMM is the full default fit (K = 1..30, three restarts for
// three finalists); expect tens of seconds per iteration.
func BenchmarkFitGMM(b *testing.B) {
	for _, set := range benchSets() {
		b.Run(set.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			train, val := set.draw(rng, benchTrain), set.draw(rng, benchVal)
			b.ResetTimer()
			for range b.N {
				g, err := FitGMM(train, val, 2, GMMOptions{Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(g.K()), "K")
			}
		})
	}
}

// BenchmarkEStep is one EM E-step of a 30-component mixture on 20000 rings points.
func BenchmarkEStep(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	n, _, z, err := gmmData(ringSample(rng, benchTrain), 2)
	if err != nil {
		b.Fatal(err)
	}
	opt, _ := GMMOptions{MaxIter: 50}.withDefaults()
	g := fitEM(z, n, 2, 30, opt, stream(1, 2, 3)).mix
	st, a, delta := newStats(30, 2), make([]float64, 30), make([]float64, 60)
	b.ResetTimer()
	for range b.N {
		g.eStep(st, z, n, a, delta)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(30*n), "ns/pair")
	if math.IsNaN(st.ll) {
		b.Fatal("NaN log-likelihood")
	}
}
