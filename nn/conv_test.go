package nn

import (
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/internal/fdcheck"
	"github.com/ebmcpu/ebmcpu/linalg"
)

// convCases are the convolution networks of the finite-difference checks in
// gradcheck_test.go (every pass: backward, tangents, reverse mode through
// tangents, VJP, Jacobian): odd image sizes, several kernel, stride and
// padding combinations, convolutions mixed with activations, BatchNorm2D
// and Linear layers, and small instances of both builders.
func convCases() []netCase {
	conv := func(s *Stream, sh ConvShape, bias bool) *Conv2D[float64] { return NewConv2D[float64](sh, bias, s) }
	convT := func(s *Stream, sh ConvShape, bias bool) *ConvTranspose2D[float64] {
		return NewConvTranspose2D[float64](sh, bias, s)
	}
	return []netCase{
		{"conv3x3-s1-p1", func(s *Stream) *Network[float64] {
			c := conv(s, ConvShape{InC: 2, H: 5, W: 4, OutC: 3, KH: 3, KW: 3, Stride: 1, Pad: 1}, true)
			return mustNet(c, NewActivation[float64](SiLU, c.Out()), NewLinear[float64](c.Out(), 2, true, s))
		}},
		{"conv4x3-s2-p1+conv2x2-s1-p0", func(s *Stream) *Network[float64] {
			c1 := conv(s, ConvShape{InC: 2, H: 7, W: 6, OutC: 3, KH: 4, KW: 3, Stride: 2, Pad: 1}, true) // 3×3
			c2 := conv(s, ConvShape{InC: 3, H: 3, W: 3, OutC: 2, KH: 2, KW: 2, Stride: 1}, false)        // 2×2
			return mustNet(c1, NewActivation[float64](Tanh, c1.Out()), c2, NewActivation[float64](PReLU, c2.Out()),
				NewLinear[float64](c2.Out(), 3, true, s))
		}},
		{"conv2x3-s3-p2-first-linear", func(s *Stream) *Network[float64] {
			c := conv(s, ConvShape{InC: 1, H: 7, W: 5, OutC: 2, KH: 2, KW: 3, Stride: 3, Pad: 2}, true)
			return mustNet(NewLinear[float64](3, 35, true, s), NewActivation[float64](ELU, 35), c, NewActivation[float64](Softplus, c.Out()),
				NewLinear[float64](c.Out(), 2, true, s))
		}},
		{"convT4x4-s2-p1", func(s *Stream) *Network[float64] {
			u := convT(s, ConvShape{InC: 2, H: 3, W: 2, OutC: 2, KH: 4, KW: 4, Stride: 2, Pad: 1}, true) // 6×4
			return mustNet(NewLinear[float64](3, 12, true, s), NewActivation[float64](Softplus, 12), u, NewActivation[float64](Sigmoid, u.Out()))
		}},
		{"convT3x2-s2-p1-outpad1+convT-s1", func(s *Stream) *Network[float64] {
			u1 := convT(s, ConvShape{InC: 2, H: 3, W: 2, OutC: 3, KH: 3, KW: 2, Stride: 2, Pad: 1, OutPadH: 1, OutPadW: 1}, true) // 6×3
			u2 := convT(s, ConvShape{InC: 3, H: 6, W: 3, OutC: 1, KH: 2, KW: 3, Stride: 1, Pad: 1}, false)                        // 5×3
			return mustNet(u1, NewActivation[float64](SiLU, u1.Out()), u2, NewActivation[float64](Tanh, u2.Out()))
		}},
		{"conv-bn2d-convT", func(s *Stream) *Network[float64] {
			c := conv(s, ConvShape{InC: 2, H: 5, W: 5, OutC: 3, KH: 3, KW: 3, Stride: 2, Pad: 1}, true) // 3×3
			bn := randomBN2D(NewBatchNorm2D[float64](3, 3, 3), s)
			u := convT(s, ConvShape{InC: 3, H: 3, W: 3, OutC: 2, KH: 3, KW: 3, Stride: 2, Pad: 1}, true) // 5×5
			return mustNet(c, NewActivation[float64](LeakyReLU, c.Out()), bn, u, NewActivation[float64](SiLU, u.Out()),
				NewLinear[float64](u.Out(), 2, true, s))
		}},
		{"conv-energy-spec", func(s *Stream) *Network[float64] {
			return mustConvNet(BuildConvEnergy[float64](ConvSpec{Channels: 2, Height: 6, Width: 5, Widths: []int{2, 3},
				Activation: "silu", OutputScale: true}, s))
		}},
		{"strided-conv-energy-spec", func(s *Stream) *Network[float64] {
			return mustConvNet(BuildConvEnergy[float64](ConvSpec{Channels: 2, Height: 6, Width: 5, Widths: []int{2, 3},
				Activation: "leakyrelu", LeakySlope: 0.1, Strided: true}, s))
		}},
		{"conv-generator-spec", func(s *Stream) *Network[float64] {
			n := mustConvNet(BuildConvGenerator[float64](ConvSpec{Channels: 1, Height: 7, Width: 5, Widths: []int{2, 3}, Latent: 3,
				Activation: "elu", BatchNorm: true, OutputActivation: "tanh"}, s))
			for _, l := range n.Layers() {
				if bn, ok := l.(*BatchNorm2D[float64]); ok {
					randomBN2D(bn, s)
				}
			}
			return n
		}},
	}
}

func mustConvNet(n *Network[float64], err error) *Network[float64] {
	if err != nil {
		panic(err)
	}
	return n
}

// randomBN2D gives a BatchNorm2D generic parameters and statistics.
func randomBN2D(b *BatchNorm2D[float64], s *Stream) *BatchNorm2D[float64] {
	Uniform(s, b.Gamma.Value, 0.5, 1.5)
	Uniform(s, b.Beta.Value, -0.5, 0.5)
	Uniform(s, b.Mean.Value, -0.3, 0.3)
	Uniform(s, b.Var.Value, 0.5, 2)
	return b
}

// The reference convolutions: torch's definitions as direct loops over
// one image.

func naiveConv(sh ConvShape, w, b, x []float64) (y []float64, oh, ow int) {
	oh, ow = (sh.H+2*sh.Pad-sh.KH)/sh.Stride+1, (sh.W+2*sh.Pad-sh.KW)/sh.Stride+1
	y = make([]float64, sh.OutC*oh*ow)
	for o := 0; o < sh.OutC; o++ {
		for v := 0; v < oh; v++ {
			for u := 0; u < ow; u++ {
				s := 0.0
				if b != nil {
					s = b[o]
				}
				for c := 0; c < sh.InC; c++ {
					for i := 0; i < sh.KH; i++ {
						for j := 0; j < sh.KW; j++ {
							yy, xx := v*sh.Stride-sh.Pad+i, u*sh.Stride-sh.Pad+j
							if yy >= 0 && yy < sh.H && xx >= 0 && xx < sh.W {
								s += w[((o*sh.InC+c)*sh.KH+i)*sh.KW+j] * x[(c*sh.H+yy)*sh.W+xx]
							}
						}
					}
				}
				y[(o*oh+v)*ow+u] = s
			}
		}
	}
	return y, oh, ow
}

// naiveConvAdjoint is the adjoint of conv (without bias) applied to g.
func naiveConvAdjoint(sh ConvShape, w, g []float64) []float64 {
	oh, ow := (sh.H+2*sh.Pad-sh.KH)/sh.Stride+1, (sh.W+2*sh.Pad-sh.KW)/sh.Stride+1
	gx := make([]float64, sh.InC*sh.H*sh.W)
	for o := 0; o < sh.OutC; o++ {
		for v := 0; v < oh; v++ {
			for u := 0; u < ow; u++ {
				gv := g[(o*oh+v)*ow+u]
				for c := 0; c < sh.InC; c++ {
					for i := 0; i < sh.KH; i++ {
						for j := 0; j < sh.KW; j++ {
							yy, xx := v*sh.Stride-sh.Pad+i, u*sh.Stride-sh.Pad+j
							if yy >= 0 && yy < sh.H && xx >= 0 && xx < sh.W {
								gx[(c*sh.H+yy)*sh.W+xx] += w[((o*sh.InC+c)*sh.KH+i)*sh.KW+j] * gv
							}
						}
					}
				}
			}
		}
	}
	return gx
}

// naiveConvWeightGrad is ∂⟨g, conv(x)⟩/∂W.
func naiveConvWeightGrad(sh ConvShape, g, x []float64) []float64 {
	oh, ow := (sh.H+2*sh.Pad-sh.KH)/sh.Stride+1, (sh.W+2*sh.Pad-sh.KW)/sh.Stride+1
	gw := make([]float64, sh.OutC*sh.InC*sh.KH*sh.KW)
	for o := 0; o < sh.OutC; o++ {
		for c := 0; c < sh.InC; c++ {
			for i := 0; i < sh.KH; i++ {
				for j := 0; j < sh.KW; j++ {
					s := 0.0
					for v := 0; v < oh; v++ {
						for u := 0; u < ow; u++ {
							yy, xx := v*sh.Stride-sh.Pad+i, u*sh.Stride-sh.Pad+j
							if yy >= 0 && yy < sh.H && xx >= 0 && xx < sh.W {
								s += g[(o*oh+v)*ow+u] * x[(c*sh.H+yy)*sh.W+xx]
							}
						}
					}
					gw[((o*sh.InC+c)*sh.KH+i)*sh.KW+j] = s
				}
			}
		}
	}
	return gw
}

func naiveConvT(sh ConvShape, w, b, x []float64) (y []float64, oh, ow int) {
	oh = (sh.H-1)*sh.Stride - 2*sh.Pad + sh.KH + sh.OutPadH
	ow = (sh.W-1)*sh.Stride - 2*sh.Pad + sh.KW + sh.OutPadW
	y = make([]float64, sh.OutC*oh*ow)
	for o := 0; o < sh.OutC; o++ {
		for p := 0; p < oh*ow; p++ {
			if b != nil {
				y[o*oh*ow+p] = b[o]
			}
		}
	}
	for c := 0; c < sh.InC; c++ {
		for v := 0; v < sh.H; v++ {
			for u := 0; u < sh.W; u++ {
				xv := x[(c*sh.H+v)*sh.W+u]
				for o := 0; o < sh.OutC; o++ {
					for i := 0; i < sh.KH; i++ {
						for j := 0; j < sh.KW; j++ {
							yy, xx := v*sh.Stride-sh.Pad+i, u*sh.Stride-sh.Pad+j
							if yy >= 0 && yy < oh && xx >= 0 && xx < ow {
								y[(o*oh+yy)*ow+xx] += xv * w[((c*sh.OutC+o)*sh.KH+i)*sh.KW+j]
							}
						}
					}
				}
			}
		}
	}
	return y, oh, ow
}

// naiveConvTWeightGrad is ∂⟨g, convT(x)⟩/∂W.
func naiveConvTWeightGrad(sh ConvShape, g, x []float64) []float64 {
	oh := (sh.H-1)*sh.Stride - 2*sh.Pad + sh.KH + sh.OutPadH
	ow := (sh.W-1)*sh.Stride - 2*sh.Pad + sh.KW + sh.OutPadW
	gw := make([]float64, sh.InC*sh.OutC*sh.KH*sh.KW)
	for c := 0; c < sh.InC; c++ {
		for v := 0; v < sh.H; v++ {
			for u := 0; u < sh.W; u++ {
				xv := x[(c*sh.H+v)*sh.W+u]
				for o := 0; o < sh.OutC; o++ {
					for i := 0; i < sh.KH; i++ {
						for j := 0; j < sh.KW; j++ {
							yy, xx := v*sh.Stride-sh.Pad+i, u*sh.Stride-sh.Pad+j
							if yy >= 0 && yy < oh && xx >= 0 && xx < ow {
								gw[((c*sh.OutC+o)*sh.KH+i)*sh.KW+j] += xv * g[(o*oh+yy)*ow+xx]
							}
						}
					}
				}
			}
		}
	}
	return gw
}

// naiveShapes cover padding larger than the kernel reach, strides above the
// kernel size, rectangular kernels and images, output padding, and output
// sizes for which a column matrix holds one image (P ≥ convGroupCols) or
// several with a partial last group.
var naiveShapes = []ConvShape{
	{InC: 2, H: 5, W: 7, OutC: 3, KH: 3, KW: 3, Stride: 1, Pad: 1},
	{InC: 3, H: 9, W: 8, OutC: 2, KH: 4, KW: 4, Stride: 2, Pad: 1},
	{InC: 1, H: 6, W: 7, OutC: 4, KH: 2, KW: 3, Stride: 3, Pad: 2},
	{InC: 2, H: 4, W: 5, OutC: 2, KH: 1, KW: 2, Stride: 2, Pad: 0},
	{InC: 2, H: 3, W: 3, OutC: 3, KH: 3, KW: 3, Stride: 2, Pad: 3},
	{InC: 1, H: 17, W: 16, OutC: 2, KH: 3, KW: 3, Stride: 1, Pad: 1}, // P = 272: one image per GEMM
	{InC: 2, H: 10, W: 11, OutC: 3, KH: 3, KW: 2, Stride: 1, Pad: 1}, // P = 120: groups of 3
}

// TestConvNaive compares Conv2D and ConvTranspose2D with the direct loops on
// every kind of pass: y and ẏ, and after BackwardTangent the input and
// tangent gradients (the adjoint map) and the weight and bias gradients,
// over a batch with tangents whose rows span several column-matrix groups.
func TestConvNaive(t *testing.T) {
	for si, sh := range naiveShapes {
		for _, transposed := range []bool{false, true} {
			tsh := sh
			if transposed {
				tsh.OutPadH = min(1, sh.Stride-1) // one output padding, the other not

			}
			t.Run(fmt.Sprintf("%d-transposed=%v", si, transposed), func(t *testing.T) {
				checkAgainstNaive(t, tsh, transposed)
			})
		}
	}
}

func checkAgainstNaive(t *testing.T, sh ConvShape, transposed bool) {
	s := NewStream(61, "naive")
	var (
		l         Layer[float64]
		w, b      []float64
		fwd, back func(w, b, x []float64) []float64 // the map and its adjoint (no bias)
		wgrad     func(g, x []float64) []float64
	)
	if transposed {
		c := NewConvTranspose2D[float64](sh, true, s)
		l, w, b = c, c.W.Value, c.B.Value
		// Its adjoint is the convolution with the same weights from the
		// OutC×OH×OW images back to InC×H×W.
		adj := ConvShape{InC: sh.OutC, H: c.OutH(), W: c.OutW(), OutC: sh.InC, KH: sh.KH, KW: sh.KW, Stride: sh.Stride, Pad: sh.Pad}
		fwd = func(w, b, x []float64) []float64 { y, _, _ := naiveConvT(sh, w, b, x); return y }
		back = func(w, _, g []float64) []float64 { y, _, _ := naiveConv(adj, w, nil, g); return y }
		wgrad = func(g, x []float64) []float64 { return naiveConvTWeightGrad(sh, g, x) }
	} else {
		c := NewConv2D[float64](sh, true, s)
		l, w, b = c, c.W.Value, c.B.Value
		fwd = func(w, b, x []float64) []float64 { y, _, _ := naiveConv(sh, w, b, x); return y }
		back = func(w, _, g []float64) []float64 { return naiveConvAdjoint(sh, w, g) }
		wgrad = func(g, x []float64) []float64 { return naiveConvWeightGrad(sh, g, x) }
	}
	Uniform(s, b, -1, 1)
	n := mustNet(l)
	in, out := l.In(), l.Out()
	const B, k = 4, 2
	x := randVec(s, B*in, -1, 1)
	v := randVec(s, k*B*in, -1, 1)
	gy := randVec(s, B*out, -1, 1)
	gyd := randVec(s, k*B*out, -1, 1)
	ws := n.NewWorkspace(B, k)
	y, yd := ws.ForwardTangent(x, v, k, Eval)
	rows := func(m []float64, r, width int) []float64 { return m[r*width : (r+1)*width] }
	for r := 0; r < B; r++ {
		fdcheck.Close(t, fmt.Sprintf("y row %d", r), rows(y, r, out), fwd(w, b, rows(x, r, in)), 1e-14)
	}
	for r := 0; r < k*B; r++ {
		fdcheck.Close(t, fmt.Sprintf("ẏ row %d", r), rows(yd, r, out), fwd(w, nil, rows(v, r, in)), 1e-14)
	}
	n.ZeroGrad()
	gx, gv := ws.BackwardTangent(gy, gyd, GradParams|GradInput)
	wantW := make([]float64, len(w))
	wantB := make([]float64, len(b))
	for r := 0; r < B; r++ {
		asm.Axpy(1, wgrad(rows(gy, r, out), rows(x, r, in)), wantW)
		g := rows(gy, r, out)
		for o := range wantB {
			P := out / len(wantB)
			wantB[o] += sumF64(g[o*P : (o+1)*P])
		}
	}
	for r := 0; r < k*B; r++ {
		asm.Axpy(1, wgrad(rows(gyd, r, out), rows(v, r, in)), wantW)
	}
	fdcheck.Close(t, "gW", n.Params()[0].Grad, wantW, 1e-13)
	fdcheck.Close(t, "gb", n.Params()[1].Grad, wantB, 1e-13)
	// The input gradients are the adjoint map, by the direct loops and by
	// ⟨g, J v⟩ = ⟨Jᵀg, v⟩ for every row.
	for r := 0; r < (1+k)*B; r++ {
		var g, got, dir []float64
		if r < B {
			g, got, dir = rows(gy, r, out), rows(gx, r, in), rows(v, r, in)
		} else {
			g, got, dir = rows(gyd, r-B, out), rows(gv, r-B, in), rows(v, r-B, in)
		}
		fdcheck.Close(t, fmt.Sprintf("gx row %d", r), got, back(w, nil, g), 1e-14)
		lhs, rhs := dotF(g, fwd(w, nil, dir)), dotF(got, dir)
		if math.Abs(lhs-rhs) > 1e-12*(math.Abs(lhs)+1) {
			t.Errorf("row %d: ⟨g, J v⟩ = %v but ⟨Jᵀg, v⟩ = %v", r, lhs, rhs)
		}
	}
}

// TestConvTransposeIsAdjoint: a ConvTranspose2D with the weights of a Conv2D
// (both OutC×InC×KH×KW in memory) is its adjoint, ⟨conv(x), y⟩ =
// ⟨x, convT(y)⟩, for shapes where the sizes match.
func TestConvTransposeIsAdjoint(t *testing.T) {
	for i, sh := range naiveShapes {
		c := NewConv2D[float64](sh, false, NewStream(62, "adjoint"))
		tsh := ConvShape{InC: sh.OutC, H: c.OutH(), W: c.OutW(), OutC: sh.InC, KH: sh.KH, KW: sh.KW, Stride: sh.Stride, Pad: sh.Pad}
		tsh.OutPadH = sh.H - ((tsh.H-1)*sh.Stride - 2*sh.Pad + sh.KH)
		tsh.OutPadW = sh.W - ((tsh.W-1)*sh.Stride - 2*sh.Pad + sh.KW)
		if tsh.OutPadH < 0 || tsh.OutPadH >= sh.Stride || tsh.OutPadW < 0 || tsh.OutPadW >= sh.Stride {
			continue // the conv drops pixels a transposed conv cannot reach
		}
		u := NewConvTranspose2D[float64](tsh, false, nil)
		copy(u.W.Value, c.W.Value)
		s := NewStream(63, "adjoint")
		x := randVec(s, c.In(), -1, 1)
		y := randVec(s, c.Out(), -1, 1)
		cx := mustNet(c).NewWorkspace(1, 0).Forward(x, Eval)
		uy := mustNet(u).NewWorkspace(1, 0).Forward(y, Eval)
		if a, b := dotF(cx, y), dotF(x, uy); math.Abs(a-b) > 1e-12*(math.Abs(a)+1) {
			t.Errorf("shape %d: ⟨conv x, y⟩ = %v, ⟨x, convT y⟩ = %v", i, a, b)
		}
	}
}

// TestConvInit checks torch's default init bounds: U(±1/√fanIn) for weight
// and bias, fanIn = InC·KH·KW for Conv2d and OutC·KH·KW for
// ConvTranspose2d.
func TestConvInit(t *testing.T) {
	s := NewStream(64, "init")
	sh := ConvShape{InC: 16, H: 8, W: 8, OutC: 24, KH: 4, KW: 3, Stride: 2, Pad: 1}
	c := NewConv2D[float64](sh, true, s)
	u := NewConvTranspose2D[float64](sh, true, s)
	for _, tc := range []struct {
		name  string
		p     *Param[float64]
		fanIn int
	}{{"conv weight", c.W, 16 * 12}, {"conv bias", c.B, 16 * 12}, {"convT weight", u.W, 24 * 12}, {"convT bias", u.B, 24 * 12}} {
		bound := 1 / math.Sqrt(float64(tc.fanIn))
		var mx, ss float64
		for _, v := range tc.p.Value {
			mx = math.Max(mx, math.Abs(v))
			ss += v * v
		}
		if mx > bound || mx < 0.8*bound {
			t.Errorf("%s: max |value| %v, bound %v", tc.name, mx, bound)
		}
		if n := len(tc.p.Value); n > 1000 {
			if v := ss / float64(n); math.Abs(v/(bound*bound/3)-1) > 0.1 {
				t.Errorf("%s: variance %v, want %v", tc.name, v, bound*bound/3)
			}
		}
	}
	if got := fmt.Sprint(c.W.Shape, u.W.Shape); got != "[24 16 4 3] [16 24 4 3]" {
		t.Errorf("weight shapes %s", got)
	}
}

// TestConvBadShapes: invalid geometries panic at construction (a
// programming error; the builders check user specs and return errors).
func TestConvBadShapes(t *testing.T) {
	good := ConvShape{InC: 1, H: 4, W: 4, OutC: 1, KH: 3, KW: 3, Stride: 1, Pad: 0}
	for _, tc := range []struct {
		name       string
		edit       func(*ConvShape)
		transposed bool
	}{
		{"zero channels", func(s *ConvShape) { s.InC = 0 }, false},
		{"zero stride", func(s *ConvShape) { s.Stride = 0 }, true},
		{"negative padding", func(s *ConvShape) { s.Pad = -1 }, false},
		{"kernel beyond image", func(s *ConvShape) { s.KH = 5 }, false},
		{"output padding on a conv", func(s *ConvShape) { s.Stride, s.OutPadW = 2, 1 }, false},
		{"output padding ≥ stride", func(s *ConvShape) { s.OutPadH = 1 }, true},
		{"empty transposed output", func(s *ConvShape) { s.H, s.KH, s.Pad = 1, 1, 1 }, true},
	} {
		sh := good
		tc.edit(&sh)
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tc.name)
				}
			}()
			if tc.transposed {
				NewConvTranspose2D[float32](sh, true, nil)
			} else {
				NewConv2D[float32](sh, true, nil)
			}
		}()
	}
}

// TestBatchNorm2DTrain checks a Train pass against the definition (batch
// statistics per channel over batch and pixels, torch's running-statistics
// update) and its gradients against finite differences.
func TestBatchNorm2DTrain(t *testing.T) {
	s := NewStream(65, "bn2d-train")
	const C, H, W, B = 3, 2, 3, 4
	bn := randomBN2D(NewBatchNorm2D[float64](C, H, W), s)
	c := NewConv2D[float64](ConvShape{InC: 2, H: 3, W: 4, OutC: C, KH: 2, KW: 2, Stride: 1, Pad: 0}, true, s)
	n := mustNet(c, NewActivation[float64](Tanh, c.Out()), bn, NewLinear[float64](C*H*W, 2, true, s))
	ws := n.NewWorkspace(B, 0)
	x := randVec(s, B*c.In(), -1.5, 1.5)
	alpha := randVec(s, B*2, -1, 1)

	// The definition, on the BatchNorm's input.
	pre := mustNet(c, NewActivation[float64](Tanh, c.Out()))
	h := append([]float64(nil), pre.NewWorkspace(B, 0).Forward(x, Eval)...)
	mean0, var0 := append([]float64(nil), bn.Mean.Value...), append([]float64(nil), bn.Var.Value...)
	yb := bn2dWorkspaceForward(bn, h, B)
	const N = B * H * W
	for ch := 0; ch < C; ch++ {
		var m, ss float64
		for b := 0; b < B; b++ {
			for p := 0; p < H*W; p++ {
				m += h[b*C*H*W+ch*H*W+p]
			}
		}
		m /= N
		for b := 0; b < B; b++ {
			for p := 0; p < H*W; p++ {
				d := h[b*C*H*W+ch*H*W+p] - m
				ss += d * d
			}
		}
		for b := 0; b < B; b++ {
			for p := 0; p < H*W; p++ {
				i := b*C*H*W + ch*H*W + p
				want := bn.Gamma.Value[ch]*(h[i]-m)/math.Sqrt(ss/N+bn.Eps) + bn.Beta.Value[ch]
				if math.Abs(yb[i]-want) > 1e-13 {
					t.Fatalf("channel %d: y = %v, want %v", ch, yb[i], want)
				}
			}
		}
		if want := 0.9*mean0[ch] + 0.1*m; math.Abs(bn.Mean.Value[ch]-want) > 1e-15 {
			t.Errorf("running mean %v, want %v", bn.Mean.Value[ch], want)
		}
		if want := 0.9*var0[ch] + 0.1*ss/(N-1); math.Abs(bn.Var.Value[ch]-want) > 1e-15 {
			t.Errorf("running var %v, want %v", bn.Var.Value[ch], want)
		}
	}

	L := func() float64 { return dotF(alpha, ws.Forward(x, Train)) }
	n.ZeroGrad()
	ws.Forward(x, Train)
	gx := append([]float64(nil), ws.Backward(alpha, GradParams|GradInput)...)
	fdcheck.Close(t, "train dL/dθ", grads(n), fdParams(n, L, fdH), fdTol)
	fdcheck.Close(t, "train dL/dx", gx, fdcheck.Grad(L, fdH, x), fdTol)
}

func bn2dWorkspaceForward(bn *BatchNorm2D[float64], h []float64, B int) []float64 {
	n, err := NewSequential[float64](bn)
	if err != nil {
		panic(err)
	}
	return append([]float64(nil), n.NewWorkspace(B, 0).Forward(h, Train)...)
}

// TestConvFloat32MatchesFloat64 runs small conv energies and generators (the
// builders' layouts, with float32 GEMMs on their blocked paths) in both
// precisions, state copied with CopyState, on every kind of pass.
func TestConvFloat32MatchesFloat64(t *testing.T) {
	for _, c := range []struct {
		name string
		spec ConvSpec
		gen  bool
	}{
		{"energy", ConvSpec{Channels: 2, Height: 13, Width: 11, Widths: []int{8, 16}, Activation: "leakyrelu", LeakySlope: 0.1, OutputScale: true}, false},
		{"energy-silu-bn", ConvSpec{Channels: 1, Height: 12, Width: 12, Widths: []int{12}, Activation: "silu", BatchNorm: true}, false},
		{"generator", ConvSpec{Channels: 1, Height: 13, Width: 13, Widths: []int{8, 16}, Latent: 5, Activation: "prelu", BatchNorm: true, OutputActivation: "tanh"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			build64, build32 := BuildConvEnergy[float64], BuildConvEnergy[float32]
			if c.gen {
				build64, build32 = BuildConvGenerator[float64], BuildConvGenerator[float32]
			}
			s := NewStream(66, c.name)
			n64 := mustConvNet(build64(c.spec, s))
			for _, l := range n64.Layers() {
				if bn, ok := l.(*BatchNorm2D[float64]); ok {
					randomBN2D(bn, s)
				}
			}
			n32, err := build32(c.spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := CopyState(n32, n64); err != nil {
				t.Fatal(err)
			}
			const B, k = 6, 2
			in, out := n64.In(), n64.Out()
			x := randVec(s, B*in, -1, 1)
			v := randVec(s, k*B*in, -1, 1)
			gy := randVec(s, B*out, -1, 1)
			gyd := randVec(s, k*B*out, -1, 1)
			w64, w32 := n64.NewWorkspace(B, k), n32.NewWorkspace(B, k)
			const tol = 2e-5
			checkGrads := func(what string) {
				t.Helper()
				for i, p := range n64.Params() {
					fdcheck.Close(t, what+" grad "+p.Name, to64(n32.Params()[i].Grad), p.Grad, tol)
				}
			}

			y64, yd64 := w64.ForwardTangent(x, v, k, Eval)
			y32, yd32 := w32.ForwardTangent(to32(x), to32(v), k, Eval)
			fdcheck.Close(t, "y", to64(y32), y64, tol)
			fdcheck.Close(t, "ẏ", to64(yd32), yd64, tol)
			n64.ZeroGrad()
			n32.ZeroGrad()
			gx64, gv64 := w64.BackwardTangent(gy, gyd, GradParams|GradInput)
			gx32, gv32 := w32.BackwardTangent(to32(gy), to32(gyd), GradParams|GradInput)
			fdcheck.Close(t, "gx", to64(gx32), gx64, tol)
			fdcheck.Close(t, "gv", to64(gv32), gv64, tol)
			checkGrads("tangent")

			// gẏ only (zero primal cotangent) and VJPs.
			n64.ZeroGrad()
			n32.ZeroGrad()
			w64.ForwardTangent(x, v, k, Eval)
			w32.ForwardTangent(to32(x), to32(v), k, Eval)
			w64.BackwardTangent(nil, gyd, GradParams)
			w32.BackwardTangent(nil, to32(gyd), GradParams)
			checkGrads("gẏ only")
			_, jtw64 := w64.VJPAt(x, gyd, k, Eval)
			_, jtw32 := w32.VJPAt(to32(x), to32(gyd), k, Eval)
			fdcheck.Close(t, "Jᵀw", to64(jtw32), jtw64, tol)

			// A Train pass (batch statistics) in both.
			n64.ZeroGrad()
			n32.ZeroGrad()
			y64 = w64.Forward(x, Train)
			y32 = w32.Forward(to32(x), Train)
			fdcheck.Close(t, "train y", to64(y32), y64, tol)
			gx64 = w64.Backward(gy, GradParams|GradInput)
			gx32 = w32.Backward(to32(gy), GradParams|GradInput)
			fdcheck.Close(t, "train gx", to64(gx32), gx64, tol)
			checkGrads("train")
			for i, b := range n64.Buffers() {
				fdcheck.Close(t, "buffer "+b.Name, to64(n32.Buffers()[i].Value), b.Value, tol)
			}
		})
	}
}

// TestConvDeterministicWorkers: the conv passes give the same bits for 1 and
// 2 GEMM workers, on shapes large enough for the parallel GEMM.
func TestConvDeterministicWorkers(t *testing.T) {
	s := NewStream(67, "workers")
	e, err := BuildConvEnergy[float32](ConvSpec{Channels: 1, Height: 16, Width: 16, Widths: []int{32, 64}, Activation: "leakyrelu", LeakySlope: 0.1}, s)
	if err != nil {
		t.Fatal(err)
	}
	g, err := BuildConvGenerator[float32](ConvSpec{Channels: 1, Height: 16, Width: 16, Widths: []int{32, 64}, Latent: 8, Activation: "relu", BatchNorm: true, OutputActivation: "tanh"}, s)
	if err != nil {
		t.Fatal(err)
	}
	const B, k = 8, 1
	x := make([]float32, B*e.In())
	z := make([]float32, B*g.In())
	v := make([]float32, k*B*g.In())
	gy := make([]float32, B*g.Out())
	Normal(s, x)
	Normal(s, z)
	Normal(s, v)
	Normal(s, gy)
	ew, gw := e.NewWorkspace(B, k), g.NewWorkspace(B, k)
	var stats [][]float32 // BatchNorm running statistics, which a Train pass moves
	for _, b := range g.Buffers() {
		stats = append(stats, append([]float32(nil), b.Value...))
	}
	run := func(workers int) []float32 {
		defer linalg.SetWorkers(linalg.Workers())
		linalg.SetWorkers(workers)
		for i, b := range g.Buffers() {
			copy(b.Value, stats[i])
		}
		var out []float32
		e.ZeroGrad()
		g.ZeroGrad()
		_, sc := ew.Score(x, Eval)
		out = append(out, sc...)
		ew.ScoreDot(x, x, Eval)
		ew.BackwardTangent(nil, gy[:B], GradParams)
		out = append(out, gw.Forward(z, Train)...)
		out = append(out, gw.Backward(gy, GradParams|GradInput)...)
		_, jv := gw.JVP(z, v, k, Eval)
		out = append(out, jv...)
		for _, p := range append(e.Params(), g.Params()...) {
			out = append(out, p.Grad...)
		}
		return out
	}
	a, b := run(1), run(2)
	if !equalBits32(a, b) {
		t.Errorf("1 and 2 GEMM workers give different results")
	}
}

func equalBits32(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// TestConvBuilders checks the default MNIST networks layer by layer, their
// parameter names, shapes and counts, a checkpoint round trip, and the
// builders' errors on bad specs.
func TestConvBuilders(t *testing.T) {
	s := NewStream(68, "init")
	e, err := BuildConvEnergy[float32](DefaultConvEnergy(1, 28, 28), s)
	if err != nil {
		t.Fatal(err)
	}
	want := "conv2d(784→25088) leakyrelu(25088) conv2d(25088→6272) leakyrelu(6272) " +
		"conv2d(6272→12544) leakyrelu(12544) conv2d(12544→3136) leakyrelu(3136) " +
		"conv2d(3136→6272) leakyrelu(6272) conv2d(6272→1152) leakyrelu(1152) linear(1152→1)"
	if got := e.String(); got != want {
		t.Errorf("energy:\n%s\nwant\n%s", got, want)
	}
	// (1·9+1)·32 + (32·16+1)·32 + (32·9+1)·64 + (64·16+1)·64 + (64·9+1)·128 + (128·16+1)·128 + 1152+1
	if got, want := e.NumParams(), 320+16416+18496+65600+73856+262272+1153; got != want {
		t.Errorf("energy has %d parameters, want %d", got, want)
	}
	if a := e.Layers()[1].(*Activation[float32]); a.Slope != 0.1 {
		t.Errorf("energy LeakyReLU slope %v", a.Slope)
	}
	strided := DefaultConvEnergy(1, 28, 28)
	strided.Strided = true
	if e, err := BuildConvEnergy[float32](strided, s); err != nil {
		t.Error(err)
	} else {
		want := "conv2d(784→6272) leakyrelu(6272) conv2d(6272→3136) leakyrelu(3136) conv2d(3136→1152) leakyrelu(1152) linear(1152→1)"
		if got := e.String(); got != want {
			t.Errorf("strided energy:\n%s\nwant\n%s", got, want)
		}
		// (1·16+1)·32 + (32·16+1)·64 + (64·16+1)·128 + 1152+1
		if got, want := e.NumParams(), 544+32832+131200+1153; got != want {
			t.Errorf("strided energy has %d parameters, want %d", got, want)
		}
	}
	g, err := BuildConvGenerator[float32](DefaultConvGenerator(1, 28, 28, 64), s)
	if err != nil {
		t.Fatal(err)
	}
	want = "linear(64→6272) relu(6272) batchnorm2d(6272) convtranspose2d(6272→12544) relu(12544) " +
		"batchnorm2d(12544) convtranspose2d(12544→784) tanh(784)"
	if got := g.String(); got != want {
		t.Errorf("generator:\n%s\nwant\n%s", got, want)
	}
	var names []string
	for _, p := range g.Params() {
		names = append(names, fmt.Sprint(p.Name, p.Shape))
	}
	for _, b := range g.Buffers() {
		names = append(names, fmt.Sprint(b.Name, b.Shape))
	}
	if got, want := fmt.Sprint(names), "[0.weight[6272 64] 0.bias[6272] 2.weight[128] 2.bias[128] 3.weight[128 64 4 4] 3.bias[64] "+
		"5.weight[64] 5.bias[64] 6.weight[64 1 4 4] 6.bias[1] 2.running_mean[128] 2.running_var[128] 5.running_mean[64] 5.running_var[64]]"; got != want {
		t.Errorf("generator names:\n%s\nwant\n%s", got, want)
	}
	// Odd sizes mirror exactly: 13 → 6 → 3 and 15 → 7 → 3, and back with
	// output padding.
	odd, err := BuildConvGenerator[float32](ConvSpec{Channels: 3, Height: 13, Width: 15, Widths: []int{4, 5}, Latent: 2, Activation: "relu"}, s)
	if err != nil {
		t.Fatal(err)
	}
	if odd.Out() != 3*13*15 {
		t.Errorf("odd generator output width %d, want %d", odd.Out(), 3*13*15)
	}

	// Checkpoint round trip into a zero network.
	ck := &Checkpoint{}
	AddNetwork(ck, "generator", g)
	g2, err := BuildConvGenerator[float32](DefaultConvGenerator(1, 28, 28, 64), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := LoadNetwork(ck, "generator", g2); err != nil {
		t.Fatal(err)
	}
	for i, p := range g.Params() {
		if !equalBits32(p.Value, g2.Params()[i].Value) {
			t.Errorf("%s differs after the round trip", p.Name)
		}
	}

	for _, bad := range []struct {
		name string
		spec ConvSpec
		gen  bool
	}{
		{"no widths", ConvSpec{Channels: 1, Height: 8, Width: 8, Activation: "relu"}, false},
		{"zero width", ConvSpec{Channels: 1, Height: 8, Width: 8, Widths: []int{4, 0}, Activation: "relu"}, false},
		{"zero channels", ConvSpec{Height: 8, Width: 8, Widths: []int{4}, Activation: "relu"}, false},
		{"too many blocks", ConvSpec{Channels: 1, Height: 8, Width: 8, Widths: []int{2, 2, 2, 2}, Activation: "relu"}, false},
		{"bad activation", ConvSpec{Channels: 1, Height: 8, Width: 8, Widths: []int{4}, Activation: "nope"}, false},
		{"bad output activation", ConvSpec{Channels: 1, Height: 8, Width: 8, Widths: []int{4}, Activation: "relu", OutputActivation: "x"}, true},
		{"negative slope", ConvSpec{Channels: 1, Height: 8, Width: 8, Widths: []int{4}, Activation: "leakyrelu", LeakySlope: -1}, false},
		{"no latent", ConvSpec{Channels: 1, Height: 8, Width: 8, Widths: []int{4}, Activation: "relu"}, true},
	} {
		var err error
		if bad.gen {
			_, err = BuildConvGenerator[float32](bad.spec, nil)
		} else {
			_, err = BuildConvEnergy[float32](bad.spec, nil)
		}
		if err == nil {
			t.Errorf("%s: no error", bad.name)
		}
	}
}

// TestConvZeroAllocs: steady-state passes through conv energies and
// generators (BatchNorm2D in both modes, grouped and single-image column
// matrices, the parallel GEMM) allocate nothing.
func TestConvZeroAllocs(t *testing.T) {
	s := NewStream(69, "alloc")
	e, err := BuildConvEnergy[float32](ConvSpec{Channels: 1, Height: 16, Width: 16, Widths: []int{32, 64}, Activation: "leakyrelu", LeakySlope: 0.1, OutputScale: true}, s)
	if err != nil {
		t.Fatal(err)
	}
	g, err := BuildConvGenerator[float32](ConvSpec{Channels: 1, Height: 16, Width: 16, Widths: []int{32, 64}, Latent: 4, Activation: "silu", BatchNorm: true, OutputActivation: "tanh"}, s)
	if err != nil {
		t.Fatal(err)
	}
	const B, k = 8, 2
	x := make([]float32, B*e.In())
	w := make([]float32, B*e.In())
	z := make([]float32, B*g.In())
	v := make([]float32, k*B*g.In())
	gy := make([]float32, B*g.Out())
	gyd := make([]float32, k*B*g.Out())
	val := make([]float32, B)
	for _, a := range [][]float32{x, w, z, v, gy, gyd} {
		Normal(s, a)
	}
	ew, gw := e.NewWorkspace(B, k), g.NewWorkspace(B, g.In())
	defer linalg.SetWorkers(linalg.Workers())
	linalg.SetWorkers(2)
	cases := []struct {
		name string
		f    func()
	}{
		{"energy forward+backward", func() { ew.Forward(x, Train); ew.Backward(gy[:B], GradParams|GradInput) }},
		{"energy score", func() { ew.Score(x, Eval) }},
		{"energy score·w + ∇θ", func() { ew.ScoreDot(x, w, Eval); ew.BackwardTangent(nil, gy[:B], GradParams) }},
		{"generator forward+backward train", func() { gw.Forward(z, Train); gw.Backward(gy, GradParams|GradInput) }},
		{"generator JVP + backward tangent", func() { gw.JVP(z, v, k, Eval); gw.BackwardTangent(gy, gyd, GradParams|GradInput) }},
		{"generator VJP", func() { gw.VJPAt(z, gyd, k, Eval) }},
		{"generator log det", func() { gw.HalfLogDet(z, Eval, nil, val, GradParams|GradInput) }},
	}
	for _, c := range cases {
		c.f() // warm up
		if n := testing.AllocsPerRun(5, c.f); n != 0 {
			t.Errorf("%s: %v allocations per run", c.name, n)
		}
	}
}

// TestConvConcurrentEval runs Eval passes through one conv energy and
// generator from several goroutines, each on its own workspace, with two
// GEMM workers; they must reproduce the sequential results (and, under
// -race, share no mutable state).
func TestConvConcurrentEval(t *testing.T) {
	s := NewStream(70, "concurrent")
	e, err := BuildConvEnergy[float32](ConvSpec{Channels: 1, Height: 12, Width: 12, Widths: []int{8, 16}, Activation: "silu"}, s)
	if err != nil {
		t.Fatal(err)
	}
	g, err := BuildConvGenerator[float32](ConvSpec{Channels: 1, Height: 12, Width: 12, Widths: []int{8, 16}, Latent: 3, Activation: "relu", BatchNorm: true}, s)
	if err != nil {
		t.Fatal(err)
	}
	defer linalg.SetWorkers(linalg.Workers())
	linalg.SetWorkers(2)
	const B, k, workers = 6, 2, 3
	x := make([]float32, B*e.In())
	z := make([]float32, B*g.In())
	v := make([]float32, k*B*g.In())
	Normal(s, x)
	Normal(s, z)
	Normal(s, v)
	run := func() []float32 {
		ew, gw := e.NewWorkspace(B, k), g.NewWorkspace(B, k)
		_, sc := ew.Score(x, Eval)
		out := append([]float32(nil), sc...)
		_, jv := gw.JVP(z, v, k, Eval)
		return append(out, jv...)
	}
	want := run()
	results := make([][]float32, workers)
	var wg sync.WaitGroup
	for w := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[w] = run()
		}()
	}
	wg.Wait()
	for w, r := range results {
		if !equalBits32(r, want) {
			t.Errorf("goroutine %d differs from the sequential run", w)
		}
	}
}
