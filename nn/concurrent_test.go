package nn

import (
	"sync"
	"testing"
)

// TestConcurrentEval runs Eval passes (score, JVP, VJP, Jacobian) from several
// goroutines, each on its own workspace, and checks that they reproduce the
// sequential results; under -race it also shows that Eval passes do not write
// shared state.
func TestConcurrentEval(t *testing.T) {
	s := NewStream(81, "concurrent")
	e, _ := BuildMLP[float32](MLPSpec{Widths: []int{2, 24, 24, 1}, Activation: "prelu", SpectralNorm: true, OutputScale: true}, s)
	g, _ := BuildMLP[float32](MLPSpec{Widths: []int{2, 24, 24, 2}, Activation: "silu", BatchNorm: true}, s)
	const B, k, workers = 12, 2, 4
	x := make([]float32, B*2)
	v := make([]float32, k*B*2)
	Normal(s, x)
	Normal(s, v)
	run := func() []float32 {
		ew, gw := e.NewWorkspace(B, k), g.NewWorkspace(B, k)
		var out []float32
		_, sc := ew.Score(x, Eval)
		out = append(out, sc...)
		_, jv := gw.JVP(x, v, k, Eval)
		out = append(out, jv...)
		_, jtw := gw.VJPAt(x, v, k, Eval)
		out = append(out, jtw...)
		jac := make([]float32, B*4)
		gw.Jacobian(x, Eval, jac)
		return append(out, jac...)
	}
	want := run()
	var wg sync.WaitGroup
	results := make([][]float32, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				results[w] = run()
			}
		}()
	}
	wg.Wait()
	for w, r := range results {
		for i := range want {
			if r[i] != want[i] {
				t.Fatalf("worker %d, value %d: %v, sequential %v", w, i, r[i], want[i])
			}
		}
	}
}
