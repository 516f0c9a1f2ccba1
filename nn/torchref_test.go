package nn

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/ebmcpu/ebmcpu/internal/fdcheck"
)

// TestTorchReference replays testdata/torch_ref.json, a PyTorch run written by
// testdata/torch_ref.py: a network with spectral norm, PReLU, BatchNorm and an
// output scale, trained a few Adam steps in train mode and evaluated in eval
// mode. Matching it in float64 checks torch's semantics end to end: the
// power-iteration schedule and its gradient, batch statistics and the
// unbiased running variance, Adam with L2 weight decay, MSE.
func TestTorchReference(t *testing.T) {
	raw, err := os.ReadFile("testdata/torch_ref.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Initial, Final map[string][]float64
		Xs, Targets    [][]float64
		Losses         []float64
		XEval          []float64 `json:"x_eval"`
		YEval          []float64 `json:"y_eval"`
		Adam           struct {
			LR, Beta1, Beta2, Eps float64
			WeightDecay           float64 `json:"weight_decay"`
		}
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	n := mustMLP(MLPSpec{Widths: []int{3, 5, 4, 1}, Activation: "prelu", BatchNorm: true, SpectralNorm: true, OutputScale: true}, nil)
	load := func(name string, dst []float64) {
		src, ok := ref.Initial[name]
		if !ok || len(src) != len(dst) {
			t.Fatalf("reference lacks %s or its size differs", name)
		}
		copy(dst, src)
	}
	for _, p := range n.Params() {
		load(p.Name, p.Value)
	}
	for _, b := range n.Buffers() {
		load(b.Name, b.Value)
	}
	if len(n.Params())+len(n.Buffers()) != len(ref.Initial) {
		t.Fatalf("reference has %d tensors, network %d", len(ref.Initial), len(n.Params())+len(n.Buffers()))
	}
	a := ref.Adam
	opt := NewAdam(n.Params(), AdamConfig{LR: a.LR, Beta1: a.Beta1, Beta2: a.Beta2, Eps: a.Eps, WeightDecay: a.WeightDecay})
	B := len(ref.Targets[0])
	ws := n.NewWorkspace(B, 0)
	gy := make([]float64, B)
	for i, x := range ref.Xs {
		n.ZeroGrad()
		y := ws.Forward(x, Train)
		loss := MSE(y, ref.Targets[i], gy)
		if math.Abs(loss-ref.Losses[i]) > 1e-12*math.Abs(ref.Losses[i]) {
			t.Errorf("step %d: loss %.17g, torch %.17g", i, loss, ref.Losses[i])
		}
		ws.Backward(gy, GradParams)
		opt.Step()
	}
	for _, p := range n.Params() {
		fdcheck.Close(t, "final "+p.Name, p.Value, ref.Final[p.Name], 1e-10)
	}
	for _, b := range n.Buffers() {
		fdcheck.Close(t, "final "+b.Name, b.Value, ref.Final[b.Name], 1e-10)
	}
	fdcheck.Close(t, "eval output", ws.Forward(ref.XEval, Eval), ref.YEval, 1e-10)
}
