package bounds

import (
	"math"
	"testing"

	"github.com/ebmcpu/ebmcpu/nn"
	"gonum.org/v1/gonum/mat"
)

// The SPEC §8 known-answer case: a linear generator G(z) = Az + b (d = D)
// and a quadratic energy E(x) = ½(x − μ)ᵀP(x − μ) + c, P = LᵀL, built as the
// networks Linear(A, b) and Linear(L, −Lμ) + HalfSquaredNorm(c).
type gaussCase struct {
	D       int
	A, L    *mat.Dense
	b, mu   []float64
	c       float64
	confine float64 // 0 here; the nonlinear case uses it
}

// randomGaussCase draws a well-conditioned case of dimension D.
func randomGaussCase(s *nn.Stream, D int) gaussCase {
	gc := gaussCase{D: D, A: mat.NewDense(D, D, nil), L: mat.NewDense(D, D, nil),
		b: make([]float64, D), mu: make([]float64, D), c: s.Float64() - 0.5}
	for i := 0; i < D; i++ {
		for j := 0; j < D; j++ {
			gc.A.Set(i, j, 0.4*(s.Float64()-0.5))
			gc.L.Set(i, j, 0.4*(s.Float64()-0.5))
		}
		gc.A.Set(i, i, gc.A.At(i, i)+0.6+0.8*s.Float64())
		gc.L.Set(i, i, gc.L.At(i, i)+0.6+0.8*s.Float64())
		gc.b[i] = s.Float64() - 0.5
		gc.mu[i] = s.Float64() - 0.5
	}
	return gc
}

func denseData(m *mat.Dense) []float64 {
	r, c := m.Dims()
	out := make([]float64, 0, r*c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			out = append(out, m.At(i, j))
		}
	}
	return out
}

// nets returns the float64 networks of the case.
func (gc gaussCase) nets(t testing.TB) Nets[float64] {
	D := gc.D
	gen := nn.NewLinear[float64](D, D, true, nil)
	copy(gen.W.Value, denseData(gc.A))
	copy(gen.B.Value, gc.b)
	lin := nn.NewLinear[float64](D, D, true, nil)
	copy(lin.W.Value, denseData(gc.L))
	var lmu mat.VecDense
	lmu.MulVec(gc.L, mat.NewVecDense(D, gc.mu))
	for i := 0; i < D; i++ {
		lin.B.Value[i] = -lmu.AtVec(i)
	}
	h := nn.NewHalfSquaredNorm[float64](D)
	h.C.Value[0] = gc.c
	en, err := nn.NewSequential[float64](lin, h)
	if err != nil {
		t.Fatal(err)
	}
	g, err := nn.NewSequential[float64](gen)
	if err != nil {
		t.Fatal(err)
	}
	return Nets[float64]{Energy: en, Generator: g, Base: Base[float64]{Confine: gc.confine}}
}

// precision returns P = LᵀL.
func (gc gaussCase) precision() *mat.Dense {
	var P mat.Dense
	P.Mul(gc.L.T(), gc.L)
	return &P
}

func logDet(m mat.Matrix) float64 {
	ld, _ := mat.LogDet(m)
	return ld
}

// exact holds the closed forms of SPEC §8.
type exact struct {
	logZ, H, energyTerm, KL, KLdirect float64
	Uc, Ud                            float64
	K                                 *mat.Dense
	g                                 *mat.VecDense
}

func (gc gaussCase) exact() exact {
	D := float64(gc.D)
	P := gc.precision()
	var ex exact
	ex.logZ = D/2*math.Log(2*math.Pi) - 0.5*logDet(P) - gc.c
	ex.H = D/2*math.Log(2*math.Pi*math.E) + 0.5*logDet(mulT(gc.A))
	// E_q[−E] = −½tr(PAAᵀ) − ½δᵀPδ − c, δ = b − μ.
	var S, PS mat.Dense
	S.Mul(gc.A, gc.A.T())
	PS.Mul(P, &S)
	delta := mat.NewVecDense(gc.D, nil)
	delta.SubVec(mat.NewVecDense(gc.D, gc.b), mat.NewVecDense(gc.D, gc.mu))
	quad := mat.Inner(delta, P, delta)
	ex.energyTerm = -0.5*mat.Trace(&PS) - 0.5*quad - gc.c
	ex.KL = ex.logZ - ex.energyTerm - ex.H
	// Direct Gaussian KL(N(b, AAᵀ) ‖ N(μ, P⁻¹)).
	ex.KLdirect = 0.5 * (mat.Trace(&PS) + quad - D - logDet(P) - logDet(&S))
	// K = AᵀPA − I, g = AᵀP(b − μ).
	var APA mat.Dense
	APA.Mul(gc.A.T(), P)
	APA.Mul(&APA, gc.A)
	ex.K = mat.NewDense(gc.D, gc.D, nil)
	ex.K.Sub(&APA, eye(gc.D))
	var Pd mat.VecDense
	Pd.MulVec(P, delta)
	ex.g = mat.NewVecDense(gc.D, nil)
	ex.g.MulVec(gc.A.T(), &Pd)
	var K2 mat.Dense
	K2.Mul(ex.K, ex.K)
	ex.Uc = 0.5 * (mat.Dot(ex.g, ex.g) + mat.Trace(&K2))
	nodes, wts := gaussLegendre(64)
	for i, s := range nodes {
		ex.Ud += wts[i] * diffusionIntegrand(ex.K, ex.g, s)
	}
	return ex
}

// diffusionIntegrand is ½·E_{π_s}‖Kz + g‖² for π_s = N(m_s, Λ_s⁻¹),
// Λ_s = I + sK, m_s = −sΛ_s⁻¹g: ½[tr(KΛ⁻¹K) + ‖K m_s + g‖²].
func diffusionIntegrand(K *mat.Dense, g *mat.VecDense, s float64) float64 {
	n, _ := K.Dims()
	var lam, inv mat.Dense
	lam.Scale(s, K)
	lam.Add(&lam, eye(n))
	if err := inv.Inverse(&lam); err != nil {
		panic(err)
	}
	var KiK mat.Dense
	KiK.Mul(K, &inv)
	KiK.Mul(&KiK, K)
	var m, r mat.VecDense
	m.MulVec(&inv, g)
	m.ScaleVec(-s, &m)
	r.MulVec(K, &m)
	r.AddVec(&r, g)
	return 0.5 * (mat.Trace(&KiK) + mat.Dot(&r, &r))
}

func mulT(A *mat.Dense) *mat.Dense {
	var S mat.Dense
	S.Mul(A.T(), A)
	return &S
}

func eye(n int) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		m.Set(i, i, 1)
	}
	return m
}

func normals(s *nn.Stream, n int) []float64 {
	v := make([]float64, n)
	nn.Normal(s, v)
	return v
}

// within reports |got − want| ≤ k·se + abs.
func within(got, want, se, k, abs float64) bool {
	return math.Abs(got-want) <= k*se+abs
}

func must[V any](v V, err error) V {
	if err != nil {
		panic(err)
	}
	return v
}
