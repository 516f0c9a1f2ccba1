package nn

import (
	"testing"

	"github.com/ebmcpu/ebmcpu/linalg"
)

// TestSmoothActivationPartsMatchOneCore: the smooth activations run their
// passes in parts over the elements when a layer is wide enough; forward,
// tangents, plain and mixed second-order backward and VJP give the same
// bits with 1 and 2 workers.
func TestSmoothActivationPartsMatchOneCore(t *testing.T) {
	const B, in, W, out, k = 40, 6, 4096, 3, 2
	if B*W < parallelMin {
		t.Fatalf("B·W = %d is below parallelMin %d: the test would not split", B*W, parallelMin)
	}
	for _, kind := range []ActKind{ELU, SiLU, Softplus, Tanh, Sigmoid} {
		t.Run(kind.String(), func(t *testing.T) {
			s := NewStream(91, "parts")
			net, err := NewSequential[float32](NewLinear[float32](in, W, true, s), NewActivation[float32](kind, W), NewLinear[float32](W, out, true, s))
			if err != nil {
				t.Fatal(err)
			}
			x := make([]float32, B*in)
			v := make([]float32, k*B*in)
			gy := make([]float32, B*out)
			gyd := make([]float32, k*B*out)
			for _, a := range [][]float32{x, v, gy, gyd} {
				Normal(s, a)
			}
			ws := net.NewWorkspace(B, k)
			run := func(workers int) []float32 {
				defer linalg.SetWorkers(linalg.Workers())
				linalg.SetWorkers(workers)
				net.ZeroGrad()
				var res []float32
				res = append(res, ws.Forward(x, Eval)...)
				res = append(res, ws.Backward(gy, GradParams|GradInput)...)
				res = append(res, ws.VJP(gyd, k)...)
				y, yd := ws.ForwardTangent(x, v, k, Eval)
				res = append(append(res, y...), yd...)
				gx, gv := ws.BackwardTangent(gy, gyd, GradParams|GradInput)
				res = append(append(res, gx...), gv...)
				_, gv = ws.BackwardTangent(nil, gyd, GradInput) // gy = 0: the second-order terms start gh
				res = append(res, gv...)
				for _, p := range net.Params() {
					res = append(res, p.Grad...)
				}
				return res
			}
			if a, b := run(1), run(2); !equalBits32(a, b) {
				t.Error("1 and 2 workers give different results")
			}
		})
	}
}
