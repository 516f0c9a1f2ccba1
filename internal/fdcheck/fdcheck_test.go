package fdcheck

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGrad(t *testing.T) {
	// f(a, b) = Σ sin(a_i)·b_0 + b_1³: ∂f/∂a_i = cos(a_i)·b_0,
	// ∂f/∂b_0 = Σ sin(a_i), ∂f/∂b_1 = 3·b_1².
	a := []float64{0.3, -1.2, 2}
	b := []float64{0.7, -0.4}
	f := func() float64 {
		var s float64
		for _, v := range a {
			s += math.Sin(v) * b[0]
		}
		return s + b[1]*b[1]*b[1]
	}
	want := []float64{math.Cos(a[0]) * b[0], math.Cos(a[1]) * b[0], math.Cos(a[2]) * b[0],
		math.Sin(a[0]) + math.Sin(a[1]) + math.Sin(a[2]), 3 * b[1] * b[1]}
	a0, b0 := append([]float64(nil), a...), append([]float64(nil), b...)
	got := Grad(f, 1e-5, a, b)
	require.InDeltaSlice(t, want, got, 1e-9)
	require.Equal(t, a0, a, "Grad restores the slices")
	require.Equal(t, b0, b, "Grad restores the slices")
	require.Empty(t, Grad(f, 1e-5))
}

func TestJVP(t *testing.T) {
	// F(x) = (x_0·x_1, exp(x_1)): J v = (x_1·v_0 + x_0·v_1, exp(x_1)·v_1).
	out := make([]float64, 2)
	F := func(x []float64) []float64 { // reuses its result, as a workspace does
		out[0], out[1] = x[0]*x[1], math.Exp(x[1])
		return out
	}
	x, v := []float64{1.5, -0.5}, []float64{0.2, 0.9}
	require.InDeltaSlice(t, []float64{x[1]*v[0] + x[0]*v[1], math.Exp(x[1]) * v[1]}, JVP(F, x, v, 1e-5), 1e-9)
}

func TestRelErr(t *testing.T) {
	require.Zero(t, RelErr([]float64{0, 0}, []float64{0, 0}))
	require.Zero(t, RelErr(nil, nil))
	require.InDelta(t, 0.5, RelErr([]float64{3, 4}, []float64{3, 1.5}), 1e-15) // ‖(0, 2.5)‖/5
	require.InDelta(t, 1, RelErr([]float64{0, 0}, []float64{0, -2}), 1e-15)
	require.True(t, math.IsNaN(RelErr([]float64{math.NaN()}, []float64{1})))
}

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	errors, fatals []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
}

func TestClose(t *testing.T) {
	for _, c := range []struct {
		name         string
		got, want    []float64
		ok           bool
		error, fatal bool
	}{
		{"equal", []float64{1, 2}, []float64{1, 2}, true, false, false},
		{"within tol", []float64{1, 2}, []float64{1, 2 + 1e-7}, true, false, false},
		{"both zero", []float64{0}, []float64{0}, true, false, false},
		{"beyond tol", []float64{1, 2}, []float64{1, 2.01}, false, true, false},
		{"NaN", []float64{1, math.NaN()}, []float64{1, 2}, false, true, false},
		{"length", []float64{1}, []float64{1, 2}, false, false, true},
	} {
		r := &recorder{TB: t}
		require.Equal(t, c.ok, Close(r, "x", c.got, c.want, 1e-6), c.name)
		require.Equal(t, c.error, len(r.errors) == 1, "%s: %q", c.name, r.errors)
		require.Equal(t, c.fatal, len(r.fatals) == 1, "%s: %q", c.name, r.fatals)
	}
}
