package nn

import (
	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/linalg"
)

// ConvTranspose2D is torch.nn.ConvTranspose2d (groups 1, dilation 1) on
// flattened NCHW images: In = InC·H·W, Out = OutC·OH·OW with
// OH = (H − 1)·Stride − 2·Pad + KH + OutPadH (OW likewise), and
//
//	y[o, v, u] = b[o] + Σ x[c, i', j']·W[c, o, i, j] over v = i'·Stride − Pad + i, u = j'·Stride − Pad + j,
//
// the adjoint of the Conv2D with the same kernel, stride and padding that
// maps OutC×OH×OW images to InC×H×W ones (plus the bias). W has torch's
// shape InC×OutC×KH×KW.
//
// Per image it is one GEMM, col = Wᵀ·x with x as an InC×(H·W) matrix,
// folded into the output image (col2im); its backward takes the im2col
// matrix of g: ∂L/∂x = W·col(g) and gW = Σ_rows x·col(g)ᵀ over the primal
// and tangent rows together. Images with few input pixels go side by side,
// several rows per GEMM.
type ConvTranspose2D[T asm.Float] struct {
	W *Param[T] // InC×OutC×KH×KW
	B *Param[T] // OutC, or nil without bias

	shape ConvShape
	geom  convGeom // the output image and its windows (the input pixels)
}

// NewConvTranspose2D returns a transposed convolution of the given shape
// initialised like torch.nn.ConvTranspose2d: W from kaiming_uniform(a = √5)
// and the bias from U(±1/√fanIn), where torch takes fanIn = OutC·KH·KW
// (the second dimension of W). A nil stream leaves the parameters zero (to
// be loaded). It panics on an invalid shape.
func NewConvTranspose2D[T asm.Float](shape ConvShape, bias bool, s *Stream) *ConvTranspose2D[T] {
	shape.check("NewConvTranspose2D", true)
	oh, ow := shape.outSize(true)
	l := &ConvTranspose2D[T]{shape: shape,
		geom: newConvGeom(shape.OutC, oh, ow, shape.KH, shape.KW, shape.Stride, shape.Pad)}
	if l.geom.oh != shape.H || l.geom.ow != shape.W {
		panic("nn: NewConvTranspose2D: inconsistent geometry") // cannot happen for a checked shape
	}
	l.W = newParam[T]("weight", shape.InC, shape.OutC, shape.KH, shape.KW)
	if bias {
		l.B = newParam[T]("bias", shape.OutC)
	}
	if s != nil {
		initConv(s, l.W, l.B, l.geom.rows())
	}
	return l
}

// Kind returns "convtranspose2d".
func (l *ConvTranspose2D[T]) Kind() string { return "convtranspose2d" }

// Shape returns the layer's geometry.
func (l *ConvTranspose2D[T]) Shape() ConvShape { return l.shape }

// OutH and OutW return the output image size.
func (l *ConvTranspose2D[T]) OutH() int { return l.geom.h }
func (l *ConvTranspose2D[T]) OutW() int { return l.geom.w }

// In returns InC·H·W.
func (l *ConvTranspose2D[T]) In() int { return l.shape.InC * l.shape.H * l.shape.W }

// Out returns OutC·OH·OW.
func (l *ConvTranspose2D[T]) Out() int { return l.shape.OutC * l.geom.h * l.geom.w }

// Params returns W and, if present, the bias.
func (l *ConvTranspose2D[T]) Params() []*Param[T] {
	if l.B == nil {
		return []*Param[T]{l.W}
	}
	return []*Param[T]{l.W, l.B}
}

// Buffers returns nothing.
func (l *ConvTranspose2D[T]) Buffers() []*Buffer[T] { return nil }

type convTRun[T asm.Float] struct {
	l    *ConvTranspose2D[T]
	grp  int // rows per column matrix (convGroup)
	cols *colOps[T]
	col  []T // K×(grp·P) column matrix, K = OutC·KH·KW, P = H·W
	tmp  []T // InC×(grp·P): inputs or their gradients side by side (grp > 1)
	bias []T // Out: the bias broadcast over the output pixels
	acc  []T // Out: column sums of the bias gradient
	ones []T // maxB ones
}

func (l *ConvTranspose2D[T]) bind(maxB, maxK int) runner[T] {
	P := l.geom.cols()
	r := &convTRun[T]{l: l, grp: convGroup(P, (1+maxK)*maxB), cols: newColOps[T](&l.geom)}
	r.col = make([]T, l.geom.rows()*r.grp*P)
	if r.grp > 1 {
		r.tmp = make([]T, l.shape.InC*r.grp*P)
	}
	if l.B != nil {
		r.bias, r.acc, r.ones = make([]T, l.Out()), make([]T, l.Out()), newOnes[T](maxB)
	}
	return r
}

// inputs returns rows [r0, r0+n) of x as one InC×(n·P) matrix.
func (r *convTRun[T]) inputs(x []T, r0, n int) []T {
	in, P := r.l.In(), r.l.geom.cols()
	xs := x[r0*in : (r0+n)*in]
	if n == 1 {
		return xs
	}
	gatherRows(r.tmp, xs, n, r.l.shape.InC, P)
	return r.tmp
}

func (r *convTRun[T]) forward(p *pass, x, y []T) {
	l := r.l
	out, K, P, C := l.Out(), l.geom.rows(), l.geom.cols(), l.shape.InC
	rows := (1 + p.k) * p.B
	for r0 := p.t0; r0 < rows; r0 += r.grp {
		n := min(r.grp, rows-r0)
		ld := n * P
		linalg.Gemm(true, false, K, ld, C, 1, l.W.Value, K, r.inputs(x, r0, n), ld, 0, r.col, ld)
		r.cols.col2im(y[r0*out:(r0+n)*out], r.col, ld, n)
	}
	if l.B != nil && p.t0 == 0 {
		broadcastChannels(r.bias, l.B.Value, l.geom.h*l.geom.w)
		m := p.B * out
		affineRows(y[:m], y[:m], out, nil, r.bias)
	}
}

func (r *convTRun[T]) backward(p *pass, x, y, g, gx []T) {
	l := r.l
	r0, r1 := p.g0(), (1+p.kg)*p.B
	if !p.param && gx == nil {
		return
	}
	// Rows [r0, x1) also add to gW; rows [x1, r1) carry cotangents only.
	x1 := r0
	if p.param {
		x1 = max(r0, (1+p.kt())*p.B)
	}
	r.backwardRows(x, g, gx, r0, x1, true)
	if gx != nil {
		r.backwardRows(x, g, gx, x1, r1, false)
	}
	if p.param && l.B != nil && !p.gZero {
		addChannelSums(l.B.Grad, r.acc, g, p.B, l.geom.h*l.geom.w, r.ones)
	}
}

// backwardRows runs the backward pass of rows [a, b): input gradients if gx
// is not nil, weight gradients if wgrad.
func (r *convTRun[T]) backwardRows(x, g, gx []T, a, b int, wgrad bool) {
	l := r.l
	in, out, K, P, C := l.In(), l.Out(), l.geom.rows(), l.geom.cols(), l.shape.InC
	for r0 := a; r0 < b; r0 += r.grp {
		n := min(r.grp, b-r0)
		ld := n * P
		r.cols.im2col(r.col, ld, g[r0*out:(r0+n)*out], n)
		if gx != nil {
			// ∂L/∂x = W·col(g).
			gxs := gx[r0*in : (r0+n)*in]
			if n == 1 {
				linalg.Gemm(false, false, C, P, K, 1, l.W.Value, K, r.col, ld, 0, gxs, P)
			} else {
				linalg.Gemm(false, false, C, ld, K, 1, l.W.Value, K, r.col, ld, 0, r.tmp, ld)
				scatterRows(gxs, r.tmp, n, C, P)
			}
		}
		if wgrad {
			linalg.Gemm(false, true, C, K, ld, 1, r.inputs(x, r0, n), ld, r.col, ld, 1, l.W.Grad, K)
		}
	}
}
