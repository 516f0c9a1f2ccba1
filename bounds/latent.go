package bounds

import (
	"fmt"
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/linalg"
	"github.com/ebmcpu/ebmcpu/nn"
)

// The latent log-ratio of SPEC §1,
//
//	f(z) = −E(G(z)) + ½‖z‖² + (d/2)·log 2π + ½ log det(J(z)ᵀJ(z)),
//
// and its gradient ∇_z f = −Jᵀ∇_x E + z + ∇_z ½ log det(JᵀJ), shared by the
// upper bounds (c, d) and the latent Langevin target. The log-volume term is
// exact (d unit tangents and a d×d Cholesky: small d) or the singular-value
// surrogate d·log s_min with the LOBPCG pair (u, v) held fixed, so that
// ∇_z(d·log s_min) = d·∇_z(uᵀJv)/s_min.

// ExactLogDetMaxDim is the largest latent width d for which an empty LogDet
// setting ("exact" or "smin": how ½ log det(JᵀJ) and its z-gradient are
// evaluated) selects the exact log-det, which costs d unit tangents per
// sample and a d×d Cholesky; wider latents get the surrogate d·log s_min.
const ExactLogDetMaxDim = 16

func resolveLogDet(s string, d int) (string, error) {
	switch s {
	case "":
		if d <= ExactLogDetMaxDim {
			return "exact", nil
		}
		return "smin", nil
	case "exact", "smin":
		return s, nil
	}
	return "", fmt.Errorf("bounds: unknown log-det method %q (want exact or smin)", s)
}

// LOBPCGConfig are the settings of the smallest-singular-value solver.
type LOBPCGConfig struct {
	Iters int     // iterations (0 selects 2, the released code's ssv_iter)
	Tol   float64 // relative residual tolerance; 0 runs Iters iterations
}

func (c LOBPCGConfig) iters() int {
	if c.Iters == 0 {
		return 2
	}
	return c.Iters
}

func (c LOBPCGConfig) check() error {
	if c.Iters < 0 || !(c.Tol >= 0) || math.IsInf(c.Tol, 1) {
		return fmt.Errorf("bounds: LOBPCG iterations %d and tolerance %v must be finite and ≥ 0", c.Iters, c.Tol)
	}
	return nil
}

// latentEval evaluates f and ∇_z f on a batch, with the per-sample pieces
// the bounds need (x = G(z), the energies, J applied to probes).
type latentEval[T asm.Float] struct {
	nets   Nets[T]
	d, D   int
	exact  bool
	extra  int // smin: probe tangents carried along with v_min
	gen    *nn.Workspace[T]
	jv     *nn.Workspace[T] // smin: J·w products that must not clobber gen
	en     *ConfinedEnergy[T]
	stream *nn.Stream

	op   *nn.JacobianOperator[T]
	lob  *linalg.LOBPCG[T]
	sres linalg.SMinResult[T]

	tan, gyd []T // smin: tangent and cotangent blocks, (1+extra)·B rows
	wneg     []T // exact: −1 per sample
	ldT      []T

	// Results of the last eval, B samples.
	B    int
	z    []T       // the latents (caller's slice)
	x    []T       // G(z), B×D (owned)
	cols []T       // exact: the d Jacobian columns; smin: J·[v_min, probes] (views into gen)
	e    []float64 // E(x) with the confining term (the energy evaluator's)
	ld   []float64 // ½ log det(JᵀJ) or d·log s_min
	f    []float64 // f(z), −∞ for a sample left out (bad): its weight e^f is 0
	gf   []T       // ∇_z f, B×d (zero for a singular sample)
	bad  []bool
	sing int // samples with a singular Jacobian or non-finite values
}

// finalResidual keeps LOBPCG's residual after its last iteration, which
// only the importance-weighted bound's statistics read.
func newLatentEval[T asm.Float](nets Nets[T], logdet string, lob LOBPCGConfig, extra, maxB int, finalResidual bool, stream *nn.Stream) *latentEval[T] {
	d, D := nets.dims()
	le := &latentEval[T]{
		nets: nets, d: d, D: D, exact: logdet == "exact", extra: extra, stream: stream,
		en: newConfinedEnergy(nets.Energy, nets.Base, maxB, 1),
		x:  make([]T, maxB*D), ld: make([]float64, maxB),
		f: make([]float64, maxB), gf: make([]T, maxB*d), bad: make([]bool, maxB),
	}
	le.e = le.en.e
	if le.exact {
		le.gen = nets.Generator.NewWorkspace(maxB, d)
		le.wneg = make([]T, maxB)
		for i := range le.wneg {
			le.wneg[i] = -1
		}
		le.ldT = make([]T, maxB)
		return le
	}
	le.gen = nets.Generator.NewWorkspace(maxB, 1+extra)
	le.jv = nets.Generator.NewWorkspace(maxB, 1)
	le.op = nn.NewJacobianOperator(nets.Generator, maxB, 1)
	le.lob = &linalg.LOBPCG[T]{BlockSize: 1, MaxIter: lob.iters(), Tol: lob.Tol, SkipFinalResidual: !finalResidual}
	le.tan = make([]T, (1+extra)*maxB*d)
	le.gyd = make([]T, (1+extra)*maxB*D)
	return le
}

// kindName returns "exact" or "smin".
func (le *latentEval[T]) kindName() string {
	if le.exact {
		return "exact"
	}
	return "smin"
}

// probes returns the block of the smin tangent buffer that eval carries as
// extra tangents (extra·B×d, tangent layout), for the caller to fill.
func (le *latentEval[T]) probes(B int) []T {
	return le.tan[B*le.d : (1+le.extra)*B*le.d]
}

// eval computes x, e, ld, f and ∇_z f at the B×d latents z. With the smin
// surrogate it also carries the extra probe tangents (filled through probes
// beforehand), whose images J·probe are then cols[(1+t)·B·D …].
func (le *latentEval[T]) eval(z []T) {
	d, D := le.d, le.D
	B := len(z) / d
	le.B, le.z = B, z
	var gz []T
	if le.exact {
		y, yd := le.gen.JacobianPass(z, nn.Eval)
		copy(le.x, y)
		le.cols = yd
		_, ge := le.en.Score(le.x[:B*D])
		gz, _ = le.gen.HalfLogDetBackward(ge, le.wneg[:B], le.ldT[:B], nn.GradInput)
		for b := 0; b < B; b++ {
			le.ld[b] = float64(le.ldT[b])
		}
	} else {
		le.op.SetPoint(z, nn.Eval)
		le.lob.Seed = le.stream.Uint64()
		if err := le.lob.Solve(le.op, nil, &le.sres); err != nil {
			panic("bounds: " + err.Error()) // settings were validated
		}
		copy(le.tan[:B*d], le.sres.V[:B*d])
		k := 1 + le.extra
		y, yd := le.gen.ForwardTangent(z, le.tan[:k*B*d], k, nn.Eval)
		copy(le.x, y)
		le.cols = yd
		_, ge := le.en.Score(le.x[:B*D])
		// L = Σ ∇E·y − Σ d·(uᵀJv)/s, so ∂L/∂z = Jᵀ∇E − ∇_z(d·log s).
		gyd := le.gyd[:k*B*D]
		clear(gyd)
		for b := 0; b < B; b++ {
			s := le.sres.Values[b]
			le.ld[b] = float64(d) * math.Log(s)
			if s > 0 && asm.Finite(s) {
				asm.Axpy(T(-float64(d)/s), le.sres.U[b*D:(b+1)*D], gyd[b*D:(b+1)*D])
			}
		}
		gz, _ = le.gen.BackwardTangent(ge, gyd, nn.GradInput)
	}
	le.sing = 0
	for b := 0; b < B; b++ {
		zb := z[b*d : (b+1)*d]
		gfb := le.gf[b*d : (b+1)*d]
		asm.Sub(gfb, zb, gz[b*d:(b+1)*d])
		f := -le.e[b] + float64(asm.Dot(zb, zb))/2 + float64(d)*halfLog2Pi + le.ld[b]
		ok := asm.Finite(f) && asm.Finite(float64(asm.Dot(gfb, gfb)))
		le.bad[b] = !ok
		if !ok {
			le.sing++
			f = math.Inf(-1)
			clear(gfb)
		}
		le.f[b] = f
	}
}

// evalValue computes x, e, ld and f at the B×d latents z without ∇_z f
// (f only: one tangent pass with the exact log-det, a LOBPCG solve and a
// forward pass with the surrogate). A non-finite f is kept as it is (−Inf
// for a singular Jacobian); bad and sing are not set.
func (le *latentEval[T]) evalValue(z []T) {
	d, D := le.d, le.D
	B := len(z) / d
	le.B, le.z = B, z
	if le.exact {
		y, yd := le.gen.JacobianPass(z, nn.Eval)
		copy(le.x, y)
		le.cols = yd
		le.gen.HalfLogDetBackward(nil, nil, le.ldT[:B], 0)
		for b := 0; b < B; b++ {
			le.ld[b] = float64(le.ldT[b])
		}
	} else {
		le.op.SetPoint(z, nn.Eval)
		le.lob.Seed = le.stream.Uint64()
		if err := le.lob.Solve(le.op, nil, &le.sres); err != nil {
			panic("bounds: " + err.Error()) // settings were validated
		}
		copy(le.x, le.gen.Forward(z, nn.Eval))
		le.cols = nil
		for b := 0; b < B; b++ {
			le.ld[b] = float64(d) * math.Log(le.sres.Values[b])
		}
	}
	e := le.en.Energy(le.x[:B*D], nn.Eval)
	for b := 0; b < B; b++ {
		zb := z[b*d : (b+1)*d]
		le.f[b] = -e[b] + float64(asm.Dot(zb, zb))/2 + float64(d)*halfLog2Pi + le.ld[b]
	}
}

// jprod sets out (B×D) to J(z_b)·w_b for the latents of the last eval and
// the B×d directions w. With the exact log-det it combines the Jacobian
// columns; with the surrogate it runs a JVP on a separate workspace.
func (le *latentEval[T]) jprod(w, out []T) {
	B, d, D := le.B, le.d, le.D
	if le.exact {
		combineTangents(out, le.cols, w, B, d, D)
		return
	}
	_, yd := le.jv.ForwardTangent(le.z, w[:B*d], 1, nn.Eval)
	copy(out[:B*D], yd)
}
