package nn

import (
	"fmt"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/internal/parallel"
	"github.com/ebmcpu/ebmcpu/linalg"
)

// ConvShape is the geometry of a 2-D convolution layer (Conv2D or
// ConvTranspose2D) on images stored per sample as flattened C×H×W arrays
// (NCHW, torch's layout): pixel (c, y, x) of a sample is element
// (c·H + y)·W + x of its row.
type ConvShape struct {
	InC, H, W int // input channels, height and width
	OutC      int // output channels
	KH, KW    int // kernel height and width
	Stride    int // in both directions, ≥ 1
	Pad       int // zero padding on every side, ≥ 0
	// OutPadH and OutPadW are ConvTranspose2D's output_padding (each in
	// [0, Stride)): rows added at the bottom and columns at the right of its
	// output. Conv2D takes 0 only.
	OutPadH, OutPadW int
}

// outSize returns the output height and width: ⌊(H + 2·Pad − KH)/Stride⌋ + 1
// for a convolution, (H − 1)·Stride − 2·Pad + KH + OutPadH for a transposed
// one (widths likewise).
func (s ConvShape) outSize(transposed bool) (oh, ow int) {
	if transposed {
		return (s.H-1)*s.Stride - 2*s.Pad + s.KH + s.OutPadH, (s.W-1)*s.Stride - 2*s.Pad + s.KW + s.OutPadW
	}
	return (s.H+2*s.Pad-s.KH)/s.Stride + 1, (s.W+2*s.Pad-s.KW)/s.Stride + 1
}

func (s ConvShape) check(name string, transposed bool) {
	if s.InC <= 0 || s.H <= 0 || s.W <= 0 || s.OutC <= 0 || s.KH <= 0 || s.KW <= 0 || s.Stride <= 0 || s.Pad < 0 {
		panic(fmt.Sprintf("nn: %s: bad shape %+v: sizes and stride must be positive, padding non-negative", name, s))
	}
	badPad := func(op int) bool { return op < 0 || op >= s.Stride || !transposed && op != 0 }
	if badPad(s.OutPadH) || badPad(s.OutPadW) {
		panic(fmt.Sprintf("nn: %s: bad shape %+v: output padding must be 0 for a convolution and below the stride for a transposed one", name, s))
	}
	if !transposed && (s.H+2*s.Pad < s.KH || s.W+2*s.Pad < s.KW) {
		panic(fmt.Sprintf("nn: %s: bad shape %+v: kernel larger than the padded image", name, s))
	}
	if oh, ow := s.outSize(true); transposed && (oh < 1 || ow < 1) {
		panic(fmt.Sprintf("nn: %s: bad shape %+v: empty output", name, s))
	}
}

// convGeom is the geometry shared by Conv2D and ConvTranspose2D: a kh×kw
// window that moves with stride s over an image of c channels and h×w
// pixels, zero-padded by p on every side, stops at oh×ow positions,
//
//	oh = ⌊(h + 2p − kh)/s⌋ + 1,  ow = ⌊(w + 2p − kw)/s⌋ + 1.
//
// im2col lays the windows out as the columns of a (c·kh·kw)×(oh·ow) matrix
// (torch's unfold): element (c·kh·kw + i·kw + j, y·ow + x) is pixel
// (c, y·s − p + i, x·s − p + j), zero outside the image. A convolution is
// then one product W·col, and col2im, the adjoint of im2col, adds columns
// back into an image (torch's fold). The image is the convolution's input
// and the transposed convolution's output.
type convGeom struct {
	c, h, w int // image channels, height and width
	kh, kw  int // window
	s, p    int // stride and padding
	oh, ow  int // window positions
	// src maps the column matrix of one channel to its plane: row i·kw + j,
	// column y·ow + x holds pixel src[(i·kw + j)·oh·ow + y·ow + x] of the
	// row-major h×w plane, or the index h·w where the window lies in the
	// padding (a zero slot appended to the plane).
	src []int32
}

func newConvGeom(c, h, w, kh, kw, s, p int) convGeom {
	g := convGeom{c: c, h: h, w: w, kh: kh, kw: kw, s: s, p: p,
		oh: (h+2*p-kh)/s + 1, ow: (w+2*p-kw)/s + 1}
	g.src = make([]int32, kh*kw*g.oh*g.ow)
	k := 0
	for i := 0; i < kh; i++ {
		for j := 0; j < kw; j++ {
			for y := 0; y < g.oh; y++ {
				for x := 0; x < g.ow; x++ {
					v, u := y*s-p+i, x*s-p+j
					g.src[k] = int32(h * w)
					if v >= 0 && v < h && u >= 0 && u < w {
						g.src[k] = int32(v*w + u)
					}
					k++
				}
			}
		}
	}
	return g
}

// rows is the height c·kh·kw of the column matrix.
func (g *convGeom) rows() int { return g.c * g.kh * g.kw }

// cols is the number oh·ow of window positions.
func (g *convGeom) cols() int { return g.oh * g.ow }

// colOps runs im2col and col2im for a group of n images whose column
// matrices sit side by side in one matrix (image j in columns j·P to
// (j+1)·P, P = oh·ow, row r at col[r·ld:], ld ≥ n·P). The work is split over
// (image, channel) pairs into up to linalg.Workers() parts on
// internal/parallel's goroutines; each pair writes its own rows of col
// (im2col) or its own plane (col2im), so the result does not depend on the
// split.
type colOps[T asm.Float] struct {
	g    *convGeom
	pads [][]T                 // per part: one plane and its zero slot, h·w + 1
	fn   func(part, parts int) // o.run, made once
	grp  parallel.Group

	// The current job.
	fold bool // col2im rather than im2col
	col  []T
	ld   int
	imgs []T // image j at imgs[j·c·h·w:]
	n    int
}

func newColOps[T asm.Float](g *convGeom) *colOps[T] {
	o := &colOps[T]{g: g}
	o.fn = o.run
	return o
}

// colParallelMin is the column-matrix size (elements) below which a group
// runs on the calling goroutine.
const colParallelMin = 1 << 15

// im2col writes the column matrices of the n images imgs into col.
func (o *colOps[T]) im2col(col []T, ld int, imgs []T, n int) {
	o.fold, o.col, o.ld, o.imgs, o.n = false, col, ld, imgs, n
	o.start()
}

// col2im sets the n images imgs to the folds of their column matrices in
// col (col2im into zeroed images).
func (o *colOps[T]) col2im(imgs []T, col []T, ld int, n int) {
	o.fold, o.col, o.ld, o.imgs, o.n = true, col, ld, imgs, n
	o.start()
}

func (o *colOps[T]) start() {
	parts := 1
	if o.n*o.g.rows()*o.g.cols() >= colParallelMin {
		parts = min(linalg.Workers(), o.n*o.g.c)
	}
	for len(o.pads) < parts { // grows only when the worker count does
		o.pads = append(o.pads, make([]T, o.g.h*o.g.w+1))
	}
	parallel.Run(o.fn, parts, &o.grp)
	o.col, o.imgs = nil, nil
}

// run does the (image, channel) pairs of one part.
func (o *colOps[T]) run(part, parts int) {
	g := o.g
	C, hw, P, kk := g.c, g.h*g.w, g.cols(), g.kh*g.kw
	pad := o.pads[part]
	items := o.n * C
	for it := part * items / parts; it < (part+1)*items/parts; it++ {
		j, c := it/C, it%C
		plane := o.imgs[(j*C+c)*hw : (j*C+c+1)*hw]
		if !o.fold {
			copy(pad, plane)
			pad[hw] = 0
			for ij := 0; ij < kk; ij++ {
				src := g.src[ij*P : (ij+1)*P]
				dst := o.col[(c*kk+ij)*o.ld+j*P:][:len(src)]
				for q, k := range src {
					dst[q] = pad[k]
				}
			}
			continue
		}
		clear(pad)
		for ij := 0; ij < kk; ij++ {
			src := g.src[ij*P : (ij+1)*P]
			from := o.col[(c*kk+ij)*o.ld+j*P:][:len(src)]
			for q, k := range src {
				pad[k] += from[q]
			}
		}
		copy(plane, pad)
	}
}

// convGroup is the number of stacked rows (samples or tangents) a
// convolution layer puts side by side in one column matrix, so that its
// GEMMs have at least about convGroupCols columns even when an image has
// few window positions; at most maxRows.
func convGroup(P, maxRows int) int {
	return max(1, min(maxRows, (convGroupCols+P-1)/P))
}

// convGroupCols is the target width of a grouped column matrix (see
// convGroup): a few packed GEMM panels of 16 columns.
const convGroupCols = 256

// gatherRows copies n rows of width m·P (m channels of P positions each)
// from src (row stride m·P) into the m×(n·P) matrix dst, row g's channel c
// at dst[c·n·P + g·P:]: several images side by side, as in a grouped column
// matrix.
func gatherRows[T asm.Float](dst, src []T, n, m, P int) {
	ld := n * P
	for g := 0; g < n; g++ {
		s := src[g*m*P : (g+1)*m*P]
		for c := 0; c < m; c++ {
			copy(dst[c*ld+g*P:c*ld+(g+1)*P], s[c*P:(c+1)*P])
		}
	}
}

// scatterRows is the inverse of gatherRows.
func scatterRows[T asm.Float](dst, src []T, n, m, P int) {
	ld := n * P
	for g := 0; g < n; g++ {
		d := dst[g*m*P : (g+1)*m*P]
		for c := 0; c < m; c++ {
			copy(d[c*P:(c+1)*P], src[c*ld+g*P:c*ld+(g+1)*P])
		}
	}
}

// broadcastChannels sets dst (m·P values) to the per-channel values v (m)
// repeated over P positions: a per-channel bias or scale as a row vector for
// affineRows.
func broadcastChannels[T asm.Float](dst, v []T, P int) {
	for c, a := range v {
		vfill(dst[c*P:(c+1)*P], a)
	}
}

// sumF64 returns Σ v, accumulated in float64.
func sumF64[T asm.Float](v []T) float64 {
	var s float64
	for _, a := range v {
		s += float64(a)
	}
	return s
}

// addChannelSums adds the sums over the B rows of g (width m·P) per
// channel to gb (m values), through acc (m·P scratch) and ones (≥ B).
func addChannelSums[T asm.Float](gb, acc, g []T, B, P int, ones []T) {
	clear(acc)
	sumRows(acc, g, B, len(acc), ones)
	for c := range gb {
		gb[c] += T(sumF64(acc[c*P : (c+1)*P]))
	}
}
