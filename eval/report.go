package eval

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ebmcpu/ebmcpu/classify"
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
	base := ""
	if r.GaussianBase > 0 {
		base = fmt.Sprintf(", energy = network + %g × Gaussian base", r.GaussianBase)
	}
	p("model %s: %s, D = %d, d = %d, trained with %s + %s%s", name, r.Dataset, r.Dim, r.LatentDim, r.Lower, r.Upper, base)
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
		on := ""
		if r.Images != nil {
			on = " on " + r.Images.Support
		}
		p("log Z ≥ %s nats%s (AIS: a stochastic lower bound; ESS %.1f of %d chains)", r.LogZ, on, float64(r.AIS.ESS), r.AIS.Chains)
	}
	opt := ""
	if r.Test.Optimistic {
		opt = " (optimistic)"
	}
	unit := "nats"
	if r.Images != nil {
		unit = "nats per image"
	}
	p("test NLL = %s %s%s on %d points", r.Test.NLL, unit, opt, r.Test.N)
	if im := r.Images; im != nil {
		p("dequantised test NLL = %s nats per image = %s bits/dim (%s)", im.DequantizedNLL, im.BitsPerDim, "an upper bound on the discretised model's code length, optimistic by the AIS's bias")
		p("confinement: %s", im.Confinement)
		if ref := im.Reference; ref != nil {
			p("reference, %s: test NLL = %s nats per image (exact), dequantised %s = %s bits/dim", ref.Model, ref.NLL, ref.DequantizedNLL, ref.BitsPerDim)
		}
	}
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
		on := ""
		if bd.Latents > 0 {
			on = fmt.Sprintf(" on %d latents", bd.Latents)
		}
		if bd.IW != nil {
			on += fmt.Sprintf(", ESS %.1f of K = %d", float64(bd.IW.ESS), bd.IW.K)
		}
		p("  %-5s %-9s log Z %s%s  (%s%s)", bd.Side, bd.Kind, bd.LogZ, mark, bd.Name, on)
	}
	if w := r.Width; w != nil {
		trained := "none (no trained bound on one side)"
		if w.Trained != nil {
			trained = fmt.Sprintf("%.3f nats", float64(*w.Trained))
		}
		p("bracket width: trained %s; narrowest %.3f (%s to %s)", trained, float64(w.Narrowest), w.Lower, w.Upper)
	}
	if len(r.Bracket) > 0 {
		p("certification of the trained bracket: %s", r.Certification.Why)
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
	if im := r.Images; im != nil {
		if o := im.OOD; o != nil {
			hasBase := r.GaussianBase > 0
			head := "energy / −⌊log p⌋ / −⌈log p⌉ / the Gaussian reference's NLL"
			if hasBase {
				head += " / the network's E_θ (the likelihood ratio against the base)"
			}
			p("out-of-distribution AUROC against %d %s (mean E %.4g): %s", o.N, o.InDistribution, float64(o.MeanEnergy), head)
			for _, st := range o.Sets {
				net := ""
				if hasBase {
					net = fmt.Sprintf(" / %.4f", float64(st.Network))
				}
				p("  %-62s %.4f / %.4f / %.4f / %.4f%s  (n = %d, mean E %.4g)", st.Name, float64(st.Energy), float64(st.LogDensityLower), float64(st.LogDensityUpper),
					float64(st.Reference), net, st.N, float64(st.MeanEnergy))
			}
		}
		if q := im.Quality; q != nil {
			p("sample quality (%s classifier; test images: %.1f%% accuracy, %.1f%% confident, label KL %.4f):", q.Classifier,
				100*float64(q.Generator.ReferenceAccuracy), 100*float64(q.Generator.Reference.Confident), float64(q.Generator.Reference.LabelKL))
			for _, s := range []struct {
				name string
				q    *classify.Report
			}{{"generator", q.Generator}, {"langevin", q.Langevin}, {"reference", q.Reference}} {
				if s.q == nil {
					continue
				}
				p("  %-9s %d samples: %d/%d classes, label KL %.4f, confident %.1f%%, Fréchet %.3g", s.name, s.q.Samples.N,
					s.q.Samples.ClassesCovered, len(s.q.Samples.Histogram), float64(s.q.Samples.LabelKL), 100*float64(s.q.Samples.Confident), float64(s.q.Frechet))
			}
		}
	}
	for _, n := range r.Notes {
		p("note: %s", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
