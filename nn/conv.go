package nn

import (
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/linalg"
)

// Conv2D is torch.nn.Conv2d (groups 1, dilation 1, zero padding) on
// flattened NCHW images: In = InC·H·W, Out = OutC·OH·OW with
// OH = ⌊(H + 2·Pad − KH)/Stride⌋ + 1 (OW likewise), and
//
//	y[o, v, u] = b[o] + Σ_{c,i,j} W[o, c, i, j]·x[c, v·Stride − Pad + i, u·Stride − Pad + j],
//
// x taken as zero outside the image. W has torch's shape OutC×InC×KH×KW.
//
// Per image it is one GEMM, Y = W·col(x), with col the im2col matrix
// (InC·KH·KW)×(OH·OW); images with few output pixels are put side by side,
// several rows per GEMM. Like Linear it is one linear map for the primal and
// the tangent rows of a stacked pass (the bias touches only the primal rows),
// and its backward gives ∂L/∂col = Wᵀ·g, folded back into images (col2im),
// and gW = Σ_rows g·col(x)ᵀ over the primal and tangent rows together.
type Conv2D[T asm.Float] struct {
	W *Param[T] // OutC×InC×KH×KW
	B *Param[T] // OutC, or nil without bias

	shape ConvShape
	geom  convGeom // the input image and its windows
}

// NewConv2D returns a convolution of the given shape initialised like
// torch.nn.Conv2d: W from kaiming_uniform(a = √5), i.e. U(±1/√fanIn), and
// the bias from U(±1/√fanIn), fanIn = InC·KH·KW. A nil stream leaves the
// parameters zero (to be loaded). It panics on an invalid shape.
func NewConv2D[T asm.Float](shape ConvShape, bias bool, s *Stream) *Conv2D[T] {
	shape.check("NewConv2D", false)
	l := &Conv2D[T]{shape: shape,
		geom: newConvGeom(shape.InC, shape.H, shape.W, shape.KH, shape.KW, shape.Stride, shape.Pad)}
	l.W = newParam[T]("weight", shape.OutC, shape.InC, shape.KH, shape.KW)
	if bias {
		l.B = newParam[T]("bias", shape.OutC)
	}
	if s != nil {
		initConv(s, l.W, l.B, l.geom.rows())
	}
	return l
}

// initConv is torch's _ConvNd.reset_parameters: kaiming_uniform(a = √5) on
// the weight and U(±1/√fanIn) on the bias.
func initConv[T asm.Float](s *Stream, w, b *Param[T], fanIn int) {
	KaimingUniform(s, w.Value, fanIn, math.Sqrt(5))
	if b != nil {
		bd := 1 / math.Sqrt(float64(fanIn))
		Uniform(s, b.Value, -bd, bd)
	}
}

// Kind returns "conv2d".
func (l *Conv2D[T]) Kind() string { return "conv2d" }

// Shape returns the layer's geometry.
func (l *Conv2D[T]) Shape() ConvShape { return l.shape }

// OutH and OutW return the output image size.
func (l *Conv2D[T]) OutH() int { return l.geom.oh }
func (l *Conv2D[T]) OutW() int { return l.geom.ow }

// In returns InC·H·W.
func (l *Conv2D[T]) In() int { return l.shape.InC * l.shape.H * l.shape.W }

// Out returns OutC·OH·OW.
func (l *Conv2D[T]) Out() int { return l.shape.OutC * l.geom.cols() }

// Params returns W and, if present, the bias.
func (l *Conv2D[T]) Params() []*Param[T] {
	if l.B == nil {
		return []*Param[T]{l.W}
	}
	return []*Param[T]{l.W, l.B}
}

// Buffers returns nothing.
func (l *Conv2D[T]) Buffers() []*Buffer[T] { return nil }

type convRun[T asm.Float] struct {
	l    *Conv2D[T]
	grp  int // rows per column matrix (convGroup)
	cols *colOps[T]
	col  []T // K×(grp·P) column matrix, K = InC·KH·KW, P = OH·OW
	tmp  []T // OutC×(grp·P): outputs or gradients side by side (grp > 1)
	bias []T // Out: the bias broadcast over the output pixels
	acc  []T // Out: column sums of the bias gradient
	ones []T // maxB ones
}

func (l *Conv2D[T]) bind(maxB, maxK int) runner[T] {
	P := l.geom.cols()
	r := &convRun[T]{l: l, grp: convGroup(P, (1+maxK)*maxB), cols: newColOps[T](&l.geom)}
	r.col = make([]T, l.geom.rows()*r.grp*P)
	if r.grp > 1 {
		r.tmp = make([]T, l.shape.OutC*r.grp*P)
	}
	if l.B != nil {
		r.bias, r.acc, r.ones = make([]T, l.Out()), make([]T, l.Out()), newOnes[T](maxB)
	}
	return r
}

func (r *convRun[T]) forward(p *pass, x, y []T) {
	l := r.l
	in, out, K, P, C := l.In(), l.Out(), l.geom.rows(), l.geom.cols(), l.shape.OutC
	rows := (1 + p.k) * p.B
	for r0 := p.t0; r0 < rows; r0 += r.grp {
		n := min(r.grp, rows-r0)
		ld := n * P
		r.cols.im2col(r.col, ld, x[r0*in:(r0+n)*in], n)
		yr := y[r0*out : (r0+n)*out]
		if n == 1 {
			linalg.Gemm(false, false, C, P, K, 1, l.W.Value, K, r.col, ld, 0, yr, P)
			continue
		}
		linalg.Gemm(false, false, C, ld, K, 1, l.W.Value, K, r.col, ld, 0, r.tmp, ld)
		scatterRows(yr, r.tmp, n, C, P)
	}
	if l.B != nil && p.t0 == 0 {
		broadcastChannels(r.bias, l.B.Value, P)
		m := p.B * out
		affineRows(y[:m], y[:m], out, nil, r.bias)
	}
}

func (r *convRun[T]) backward(p *pass, x, y, g, gx []T) {
	l := r.l
	r0, r1 := p.g0(), (1+p.kg)*p.B
	if !p.param && gx == nil {
		return
	}
	// Rows [r0, x1) also add to gW (primal and tangent rows where g and x
	// may both be nonzero); rows [x1, r1) carry cotangents only.
	x1 := r0
	if p.param {
		x1 = max(r0, (1+p.kt())*p.B)
	}
	r.backwardRows(x, g, gx, r0, x1, true)
	if gx != nil {
		r.backwardRows(x, g, gx, x1, r1, false)
	}
	if p.param && l.B != nil && !p.gZero {
		addChannelSums(l.B.Grad, r.acc, g, p.B, l.geom.cols(), r.ones)
	}
}

// backwardRows runs the backward pass of rows [a, b): input gradients if gx
// is not nil, weight gradients if wgrad.
func (r *convRun[T]) backwardRows(x, g, gx []T, a, b int, wgrad bool) {
	l := r.l
	in, out, K, P, C := l.In(), l.Out(), l.geom.rows(), l.geom.cols(), l.shape.OutC
	for r0 := a; r0 < b; r0 += r.grp {
		n := min(r.grp, b-r0)
		ld := n * P
		gy := g[r0*out : (r0+n)*out] // C×P for one row
		if n > 1 {
			gatherRows(r.tmp, gy, n, C, P)
			gy = r.tmp
		}
		if gx != nil {
			// ∂L/∂col = Wᵀ·gy, folded back into the input images.
			linalg.Gemm(true, false, K, ld, C, 1, l.W.Value, K, gy, ld, 0, r.col, ld)
			r.cols.col2im(gx[r0*in:(r0+n)*in], r.col, ld, n)
		}
		if wgrad {
			r.cols.im2col(r.col, ld, x[r0*in:(r0+n)*in], n)
			linalg.Gemm(false, true, C, K, ld, 1, gy, ld, r.col, ld, 1, l.W.Grad, K)
		}
	}
}
