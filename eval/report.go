package eval

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ebmcpu/ebmcpu/internal/atomicfile"
)

// WriteJSON writes the report as indented JSON into path, atomically.
func (r *Report) WriteJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(b, '\n'), 0o644)
}

// Summary writes a short human-readable account of the report to w.
func (r *Report) Summary(w io.Writer) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	name := r.Model
	if name == "" {
		name = "(in-memory model)"
	}
	p("model %s: %s, D = %d, d = %d, trained with %s + %s", name, r.Dataset, r.Dim, r.LatentDim, r.Lower, r.Upper)
	switch r.LogZMethod {
	case "grid":
		g := r.Grid
		p("log Z = %.4f nats (grid %d², box ±%.3g; refine %+.2g, grow %+.2g, edge mass %.2g)%s",
			float64(r.LogZ.Value), g.N, float64(g.Box[1]), float64(g.RefineChange), float64(g.GrowChange), float64(g.EdgeMass),
			map[bool]string{true: " — normalised on the box", false: ""}[r.NormalisedOnBox])
		if r.AIS != nil {
			p("  AIS cross-check: log Ẑ = %s", r.AIS.LogZ)
		}
	case "ais":
		p("log Z ≥ %s nats (AIS: a stochastic lower bound)", r.LogZ)
	}
	opt := ""
	if r.Test.Optimistic {
		opt = " (optimistic)"
	}
	p("test NLL = %s nats%s on %d points", r.Test.NLL, opt, r.Test.N)
	if r.Test.KLGap != nil {
		p("H(data) = %.4f, KL gap = %s (paired %s)", float64(*r.Test.DataEntropy), *r.Test.KLGap, *r.Test.KLGapPaired)
	}
	for _, bd := range r.Bracket {
		mark := ""
		if bd.Trained {
			mark = " [trained]"
		}
		if bd.Error != "" {
			p("  %-5s %s%s: not evaluated: %s", bd.Side, bd.Kind, mark, bd.Error)
			continue
		}
		p("  %-5s %-9s log Z %s%s  (%s)", bd.Side, bd.Kind, bd.LogZ, mark, bd.Name)
	}
	for _, v := range r.Violations {
		p("VIOLATION: %s bound %s = %.4f is %.3g nats past %s %.4f (tolerance %.3g): %s",
			v.Side, v.Bound, float64(v.Value), float64(v.Excess), v.RefName, float64(v.Reference), float64(v.Tolerance), v.Assumption)
	}
	for _, s := range []struct {
		name string
		r    SampleReport
	}{{"generator", r.Generator}, {"langevin", r.Langevin}} {
		line := fmt.Sprintf("%s samples: MMD² = %.3g (h = %.3g)", s.name, float64(s.r.MMD2), float64(s.r.Bandwidth))
		if m := s.r.Modes; m != nil {
			line += fmt.Sprintf(", modes %d/%d, high quality %.1f%%", m.Covered, m.K, 100*float64(m.HighQuality))
		}
		if sp := s.r.Sampler; sp != nil {
			line += fmt.Sprintf(", MALA h = %.3g, acceptance %.2f", float64(sp.StepSize), float64(sp.Acceptance))
		}
		p("%s", line)
	}
	for _, n := range r.Notes {
		p("note: %s", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
