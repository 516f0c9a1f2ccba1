package nn

import (
	"fmt"

	"github.com/ebmcpu/ebmcpu/asm"
)

// A Workspace holds the activations, caches and gradient buffers of one pass
// through a network, for up to MaxBatch samples and MaxTangents tangent
// directions per sample. A forward pass fills it; the backward pass that
// follows reads it. Slices returned by its methods are views into the
// workspace, valid until the next pass on it.
//
// Batches are row-major, batch-major: B inputs of width D are a B×D slice.
// Tangents are k-major: tangent t of sample b is row t·B + b of a (k·B)×D
// slice (the layout the spectral solvers in linalg share).
//
// A workspace is not safe for concurrent use; give each goroutine its own.
// Its passes allocate nothing.
type Workspace[T asm.Float] struct {
	net        *Network[T]
	maxB, maxK int
	runs       []runner[T]
	acts       [][]T  // acts[i] is the stacked input of layer i; acts[L] the output
	gbuf       [2][]T // ping-pong stacked gradients
	gout       []T    // stacked gradient at the output
	p          pass
	ready      bool // a forward pass has filled acts

	ld *logdetScratch // lazily, for HalfLogDet
}

// NewWorkspace returns a workspace for batches of at most maxBatch samples
// and at most maxTangents tangents (or cotangents) per sample.
func (n *Network[T]) NewWorkspace(maxBatch, maxTangents int) *Workspace[T] {
	if maxBatch < 1 || maxTangents < 0 {
		panic(fmt.Sprintf("nn: NewWorkspace(%d, %d): need maxBatch ≥ 1 and maxTangents ≥ 0", maxBatch, maxTangents))
	}
	rows := (1 + maxTangents) * maxBatch
	ws := &Workspace[T]{net: n, maxB: maxBatch, maxK: maxTangents}
	maxW := n.In()
	ws.acts = append(ws.acts, make([]T, rows*n.In()))
	for _, l := range n.layers {
		ws.runs = append(ws.runs, l.bind(maxBatch, maxTangents))
		ws.acts = append(ws.acts, make([]T, rows*l.Out()))
		maxW = max(maxW, l.Out())
	}
	ws.gbuf[0] = make([]T, rows*maxW)
	ws.gbuf[1] = make([]T, rows*maxW)
	ws.gout = make([]T, rows*n.Out())
	return ws
}

// Network returns the network the workspace belongs to.
func (ws *Workspace[T]) Network() *Network[T] { return ws.net }

// MaxBatch returns the largest batch the workspace takes.
func (ws *Workspace[T]) MaxBatch() int { return ws.maxB }

// MaxTangents returns the largest tangent count the workspace takes.
func (ws *Workspace[T]) MaxTangents() int { return ws.maxK }

// batch returns the batch size of an input slice and panics on misuse.
func (ws *Workspace[T]) batch(name string, x []T) int {
	in := ws.net.In()
	if len(x)%in != 0 {
		panic(fmt.Sprintf("nn: %s: input length %d is not a multiple of the input width %d", name, len(x), in))
	}
	B := len(x) / in
	if B > ws.maxB {
		panic(fmt.Sprintf("nn: %s: batch of %d exceeds the workspace's maximum %d", name, B, ws.maxB))
	}
	return B
}

func (ws *Workspace[T]) checkK(name string, k int) {
	if k < 0 || k > ws.maxK {
		panic(fmt.Sprintf("nn: %s: %d tangents exceed the workspace's maximum %d", name, k, ws.maxK))
	}
}

func checkLen(name, what string, got, want int) {
	if got != want {
		panic(fmt.Sprintf("nn: %s: %s has length %d, want %d", name, what, got, want))
	}
}

// run performs the forward pass on acts[0], already filled.
func (ws *Workspace[T]) run() {
	for i, r := range ws.runs {
		r.forward(&ws.p, ws.acts[i], ws.acts[i+1])
	}
	ws.ready = true
}

func (ws *Workspace[T]) output() []T {
	return ws.acts[len(ws.runs)][:ws.p.B*ws.net.Out()]
}

func (ws *Workspace[T]) outputTangents() []T {
	n := ws.p.B * ws.net.Out()
	return ws.acts[len(ws.runs)][n : (1+ws.p.k)*n]
}

// Forward evaluates the network on the B×In batch x and returns the B×Out
// output.
func (ws *Workspace[T]) Forward(x []T, mode Mode) []T {
	B := ws.batch("Forward", x)
	ws.p = pass{B: B, mode: mode}
	copy(ws.acts[0], x)
	ws.run()
	return ws.output()
}

// ForwardTangent evaluates the network and its Jacobian-vector products: for
// the B×In batch x and the (k·B)×In tangents v (tangent t of sample b in row
// t·B + b) it returns y (B×Out) and ẏ = J(x)·v ((k·B)×Out, same layout).
// BatchNorm layers need Eval mode; spectral norm in Train mode advances its
// power iteration as any Train pass does.
func (ws *Workspace[T]) ForwardTangent(x, v []T, k int, mode Mode) (y, ydot []T) {
	B := ws.batch("ForwardTangent", x)
	ws.checkK("ForwardTangent", k)
	in := ws.net.In()
	checkLen("ForwardTangent", "v", len(v), k*B*in)
	ws.p = pass{B: B, k: k, mode: mode}
	copy(ws.acts[0], x)
	copy(ws.acts[0][B*in:], v)
	ws.run()
	return ws.output(), ws.outputTangents()
}

// forwardTangentAgain runs a tangent pass with the k tangents v ((k·B)×In)
// at the point of the workspace's last pass, which must have been a
// ForwardTangent (or a pass of this kind) with the network unchanged since:
// only the tangent rows are computed, from the primal rows and the layers'
// caches of that pass. It returns the output tangents, with the bits a full
// ForwardTangent would give.
func (ws *Workspace[T]) forwardTangentAgain(v []T, k int) []T {
	ws.mustBeReady("forwardTangentAgain")
	if ws.p.k == 0 {
		panic("nn: forwardTangentAgain: the last pass carried no tangents")
	}
	ws.checkK("forwardTangentAgain", k)
	B, in := ws.p.B, ws.net.In()
	checkLen("forwardTangentAgain", "v", len(v), k*B*in)
	ws.p = pass{B: B, k: k, mode: ws.p.mode, t0: B}
	copy(ws.acts[0][B*in:], v)
	ws.run()
	ws.p.t0 = 0
	return ws.outputTangents()
}

func (ws *Workspace[T]) mustBeReady(name string) {
	if !ws.ready {
		panic("nn: " + name + ": no forward pass on this workspace")
	}
}

// Backward runs reverse mode through the last forward pass, given gy =
// ∂L/∂y (B×Out; nil means zero). With GradParams it accumulates ∂L/∂θ into
// the parameters' Grad; with GradInput it returns ∂L/∂x (B×In), else nil.
// After a tangent pass, Backward treats ∂L/∂ẏ as zero.
func (ws *Workspace[T]) Backward(gy []T, what Grad) []T {
	ws.mustBeReady("Backward")
	out := ws.net.Out()
	B := ws.p.B
	ws.p.kg = 0
	ws.p.gZero = gy == nil
	if gy != nil {
		checkLen("Backward", "gy", len(gy), B*out)
		copy(ws.gout, gy)
	}
	gx := ws.backward(what)
	if gx == nil {
		return nil
	}
	return gx[:B*ws.net.In()]
}

// BackwardTangent runs reverse mode through the last ForwardTangent pass:
// given gy = ∂L/∂y (B×Out) and gydot = ∂L/∂ẏ ((k·B)×Out), nil meaning zero,
// for any scalar L of the outputs and their tangents, it accumulates ∂L/∂θ
// (GradParams) and returns ∂L/∂x (B×In) and ∂L/∂v ((k·B)×In) (GradInput).
//
// Per layer this is gW += gyᵀx + Σ_t gẏ_tᵀẋ_t (one GEMM over the stacked
// rows) for a Linear layer and gh = gy∘σ'(h) + Σ_t gẏ_t∘σ″(h)∘ḣ_t,
// gḣ_t = gẏ_t∘σ'(h) for an activation. With gy = 0 and k = 1 it gives
// ∇_θ[∇_x E(x)·w]; with gydot = u it gives ∇ of uᵀJ(x)v.
func (ws *Workspace[T]) BackwardTangent(gy, gydot []T, what Grad) (gx, gv []T) {
	ws.mustBeReady("BackwardTangent")
	out, in := ws.net.Out(), ws.net.In()
	B, k := ws.p.B, ws.p.k
	if k == 0 {
		panic("nn: BackwardTangent: the last forward pass carried no tangents")
	}
	ws.p.kg = k
	ws.p.gZero = gy == nil
	if gy != nil {
		checkLen("BackwardTangent", "gy", len(gy), B*out)
		copy(ws.gout, gy)
	}
	t := ws.gout[B*out : (1+k)*B*out]
	if gydot == nil {
		clear(t)
	} else {
		checkLen("BackwardTangent", "gydot", len(gydot), k*B*out)
		copy(t, gydot)
	}
	g := ws.backward(what)
	if g == nil {
		return nil, nil
	}
	return g[:B*in], g[B*in : (1+k)*B*in]
}

// VJP returns the vector–Jacobian products Jᵀw at the point of the last
// Forward pass (which must have carried no tangents), for k cotangents per
// sample: w is (k·B)×Out in the tangent layout and the result (k·B)×In.
func (ws *Workspace[T]) VJP(w []T, k int) []T {
	ws.mustBeReady("VJP")
	if ws.p.k != 0 {
		panic("nn: VJP: the last forward pass carried tangents; use BackwardTangent")
	}
	ws.checkK("VJP", k)
	out, in, B := ws.net.Out(), ws.net.In(), ws.p.B
	checkLen("VJP", "w", len(w), k*B*out)
	ws.p.kg = k
	ws.p.gZero = true
	copy(ws.gout[B*out:], w)
	g := ws.backward(GradInput)
	return g[B*in : (1+k)*B*in]
}

// backward runs the layers' backward passes from ws.gout and returns the
// stacked input gradient (nil without GradInput).
func (ws *Workspace[T]) backward(what Grad) []T {
	p := &ws.p
	p.param = what&GradParams != 0
	input := what&GradInput != 0
	if !p.param && !input {
		return nil
	}
	L := len(ws.runs)
	g := ws.gout
	for i := L - 1; i >= 0; i-- {
		var gx []T
		if i > 0 || input {
			gx = ws.gbuf[(L-1-i)%2]
		}
		ws.runs[i].backward(p, ws.acts[i], ws.acts[i+1], g, gx)
		g = gx
	}
	if input && p.gZero {
		clear(g[:p.B*ws.net.In()])
	}
	return g
}
