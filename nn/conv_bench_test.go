package nn

import (
	"runtime"
	"testing"

	"github.com/ebmcpu/ebmcpu/linalg"
)

// BenchmarkConvStep is forward + backward (parameter gradients, and the
// input gradient the generator step needs from the energy) through the
// default MNIST networks in float32 at batch 64: DefaultConvEnergy(1, 28, 28)
// on images and DefaultConvGenerator(1, 28, 28, 64) in Train mode on
// latents. The GEMMs get GOMAXPROCS workers (compare -cpu 1,2).
func BenchmarkConvStep(b *testing.B) {
	defer linalg.SetWorkers(linalg.Workers())
	const B = 64
	for _, c := range []struct {
		name string
		gen  bool
		what Grad
	}{
		{"energy", false, GradParams},
		{"energy+input", false, GradParams | GradInput},
		{"generator", true, GradParams},
	} {
		b.Run(c.name, func(b *testing.B) {
			linalg.SetWorkers(runtime.GOMAXPROCS(0))
			s := NewStream(1, "bench")
			var n *Network[float32]
			var err error
			if c.gen {
				n, err = BuildConvGenerator[float32](DefaultConvGenerator(1, 28, 28, 64), s)
			} else {
				n, err = BuildConvEnergy[float32](DefaultConvEnergy(1, 28, 28), s)
			}
			if err != nil {
				b.Fatal(err)
			}
			x := make([]float32, B*n.In())
			gy := make([]float32, B*n.Out())
			Normal(s, x)
			Normal(s, gy)
			ws := n.NewWorkspace(B, 0)
			step := func() {
				ws.Forward(x, Train)
				ws.Backward(gy, c.what)
			}
			step()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				step()
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/step")
		})
	}
}
