package eval

import (
	"math"
	"strings"
	"testing"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/stretchr/testify/require"
)

// TestCheckBracket: a bound on the wrong side of the exact log Z beyond
// 3 SE plus the grid error is flagged with the assumption it breaks; one
// within the tolerance, a manifold bound and a failed bound are not.
func TestCheckBracket(t *testing.T) {
	cfg := ebm.DefaultConfig()
	b := func(side, kind string, v, se float64) BoundReport {
		return BoundReport{Side: side, Kind: kind, Name: kind, LogZ: estimate(v, se)}
	}
	const exact, gridErr = 2.0, 0.01
	br := []BoundReport{
		b("lower", "sv", 1.5, 0.1),        // fine
		b("lower", "sv", 2.2, 0.05),       // 0.2 > 3·0.05 + 0.01: violation
		b("lower", "mi", 2.1, 0.05),       // 0.1 < 0.16: within noise
		b("upper", "gp", 1.0, 0.1),        // 1.0 > 0.31: violation
		b("upper", "diffusion", 2.5, 0.1), // fine
		b("upper", "diffusion", 1.9, 0.1), // within noise
	}
	man := b("lower", "sv", 5, 0.01)
	man.Manifold = true
	failed := b("upper", "gp", math.NaN(), math.NaN())
	failed.Error = "boom"
	br = append(br, man, failed)
	v := checkBracket(cfg, br, exact, gridErr, true, false, "exact")
	if len(v) != 2 {
		t.Fatalf("%d violations, want 2: %+v", len(v), v)
	}
	if v[0].Side != "lower" || math.Abs(float64(v[0].Excess)-0.2) > 1e-12 || math.Abs(float64(v[0].Tolerance)-0.16) > 1e-12 ||
		!strings.Contains(v[0].Assumption, "injective") {
		t.Errorf("lower violation: %+v", v[0])
	}
	if v[1].Side != "upper" || !strings.Contains(v[1].Assumption, "wider than the generator") {
		t.Errorf("gp violation: %+v", v[1])
	}
	// Against AIS (a stochastic lower bound) only upper bounds are judged,
	// with both errors combined.
	v = checkBracket(cfg, br, exact, 0.1, false, false, "ais")
	if len(v) != 1 || v[0].Bound != "gp" || math.Abs(float64(v[0].Tolerance)-3*math.Hypot(0.1, 0.1)) > 1e-12 {
		t.Errorf("against AIS: %+v", v)
	}
	// On the box, a lower bound above the box's log Z may be legitimate:
	// the explanation says so first.
	v = checkBracket(cfg, br, exact, gridErr, true, true, "exact")
	if !strings.HasPrefix(v[0].Assumption, "the model is normalised on the box") {
		t.Errorf("on-box lower violation: %q", v[0].Assumption)
	}
	// An approximate (mi) pairing says so.
	ap := b("upper", "gp", 0, 0.01)
	ap.Approximate = true
	v = checkBracket(cfg, []BoundReport{ap}, exact, 0, true, false, "exact")
	if len(v) != 1 || !strings.Contains(v[0].Assumption, "approximate") {
		t.Errorf("approximate pairing: %+v", v)
	}
}

// TestCheckCrossed: an upper bound below a lower bound of the same
// normaliser beyond 3 combined SE is flagged, naming both; bounds within
// noise, on different normalisers (R^D against the manifold) or failed are
// not compared.
func TestCheckCrossed(t *testing.T) {
	cfg := ebm.DefaultConfig()
	b := func(side, kind string, v, se float64, manifold bool) BoundReport {
		return BoundReport{Side: side, Kind: kind, Name: kind, LogZ: estimate(v, se), Manifold: manifold}
	}
	failed := b("lower", "iw", 100, 1, true)
	failed.Error = "boom"
	br := []BoundReport{
		b("lower", "mi", -300, 0.4, true),
		b("lower", "iw", 505, 1.2, true),      // above the gp upper bound: crossed
		b("upper", "gp", 127, 14, true),       // 505 − 127 = 378 > 3·hypot(1.2, 14)
		b("upper", "diffusion", 504, 1, true), // 1 < 3·hypot(1.2, 1): within noise
		b("upper", "gp", 0, 0.1, false),       // on R^D: not comparable with manifold bounds
		failed,
	}
	v := checkCrossed(cfg, br)
	if len(v) != 1 {
		t.Fatalf("%d crossings, want 1: %+v", len(v), v)
	}
	c := v[0]
	if c.Side != "crossed" || c.Bound != "gp" || float64(c.Reference) != 505 || math.Abs(float64(c.Excess)-378) > 1e-9 ||
		math.Abs(float64(c.Tolerance)-3*math.Hypot(1.2, 14)) > 1e-9 || !strings.Contains(c.RefName, "iw") ||
		!strings.Contains(c.Assumption, "first-order") || !strings.Contains(c.Assumption, "injective") {
		t.Errorf("crossing: %+v", c)
	}
	if v := checkCrossed(cfg, br[:2]); len(v) != 0 {
		t.Errorf("no upper bound, yet %+v", v)
	}
}

// TestBracketWidth checks the widths against a hand-made bracket: the
// trained width is trained upper − trained lower, the narrowest pairs the
// highest lower with the lowest upper, and bounds with an error or on the
// generator's manifold do not count.
func TestBracketWidth(t *testing.T) {
	b := func(side, name string, v float64, trained bool) BoundReport {
		return BoundReport{Side: side, Name: name, Trained: trained, LogZ: bounds.Estimate{Value: v}}
	}
	br := []BoundReport{
		b("lower", "sv-exact", 1.8, true), b("lower", "iw(K=1000)", 2.2, false),
		b("upper", "gp", 9.0, true), b("upper", "diffusion", 4.5, false),
	}
	broken := b("upper", "broken", -5, false)
	broken.Error = "failed"
	manifold := b("lower", "mi", 7, false)
	manifold.Manifold = true
	br = append(br, broken, manifold)
	w := bracketWidth(br)
	require.NotNil(t, w)
	require.NotNil(t, w.Trained)
	require.InDelta(t, 9.0-1.8, float64(*w.Trained), 1e-12)
	require.InDelta(t, 4.5-2.2, float64(w.Narrowest), 1e-12)
	require.Equal(t, "iw(K=1000)", w.Lower)
	require.Equal(t, "diffusion", w.Upper)
	require.Nil(t, bracketWidth(br[:2]), "no upper bound: no width")
	untrained := bracketWidth([]BoundReport{b("lower", "sv-exact", 1.8, true), b("upper", "diffusion", 4.5, false)})
	require.NotNil(t, untrained)
	require.Nil(t, untrained.Trained, "no trained upper bound: no trained width")
}
