package suite

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/ebmcpu/ebmcpu/classify"
	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/eval"
)

// The goals of issue 15 that IMAGES.md checks.
const (
	goalMinutes       = 30   // a default MNIST run, 2 cores
	goalLabelKL       = 0.05 // nats
	goalConfident     = 0.8
	goalAUROC         = 0.99 // MNIST-trained against Fashion-MNIST and both noises
	goalAUROCReversed = 0.95 // Fashion-MNIST-trained against MNIST
)

// Accessors of an evaluated image run (NaN where the report lacks the
// part).
func imgNLL(r *Record) float64 { return float64(r.Report.Test.NLL.Value) }

func imgBits(r *Record) float64 {
	if im := r.Report.Images; im != nil {
		return float64(im.BitsPerDim.Value)
	}
	return math.NaN()
}

func aisESS(r *Record) float64 {
	if a := r.Report.AIS; a != nil {
		return float64(a.ESS)
	}
	return math.NaN()
}

func bracketKind(r *Record, kind string) float64 {
	for _, b := range r.Report.Bracket {
		if b.Kind == kind && b.Error == "" {
			return float64(b.LogZ.Value)
		}
	}
	return math.NaN()
}

// oodSet is a run's result against the OOD set named key (shortSet), nil
// if it has none.
func oodSet(r *Record, key string) *eval.OODResult {
	if im := r.Report.Images; im != nil && im.OOD != nil {
		for i, s := range im.OOD.Sets {
			if shortSet(s.Name) == key {
				return &im.OOD.Sets[i]
			}
		}
	}
	return nil
}

// aurocOf is the energy's AUROC against the OOD set named key.
func aurocOf(key string) func(r *Record) float64 {
	return func(r *Record) float64 {
		if s := oodSet(r, key); s != nil {
			return float64(s.Energy)
		}
		return math.NaN()
	}
}

// networkAUROCOf is the AUROC of the network's energy E_θ alone (models
// with a Gaussian base, evaluated since it is reported; NaN otherwise)
// against the OOD set named key.
func networkAUROCOf(key string) func(r *Record) float64 {
	return func(r *Record) float64 {
		if s := oodSet(r, key); s != nil && r.Report.GaussianBase > 0 {
			return float64(s.Network)
		}
		return math.NaN()
	}
}

// referenceAUROC is the Gaussian reference's AUROC against the OOD set
// named key.
func referenceAUROC(r *Record, key string) float64 {
	if s := oodSet(r, key); s != nil {
		return float64(s.Reference)
	}
	return math.NaN()
}

// sampleStat reads a classifier statistic of the generator ("generator"),
// MALA ("langevin") or Gaussian reference ("reference") samples.
func sampleStat(which string, f func(q *classify.Report) float64) func(r *Record) float64 {
	return func(r *Record) float64 {
		if r == nil || r.Report == nil || r.Report.Images == nil || r.Report.Images.Quality == nil {
			return math.NaN()
		}
		q := r.Report.Images.Quality.Generator
		switch which {
		case "langevin":
			q = r.Report.Images.Quality.Langevin
		case "reference":
			q = r.Report.Images.Quality.Reference
		}
		if q == nil {
			return math.NaN()
		}
		return f(q)
	}
}

func classes(q *classify.Report) float64   { return float64(q.Samples.ClassesCovered) }
func labelKL(q *classify.Report) float64   { return float64(q.Samples.LabelKL) }
func confident(q *classify.Report) float64 { return float64(q.Samples.Confident) }
func frechet(q *classify.Report) float64   { return float64(q.Frechet) }

// oodKeys are the OOD sets of the evaluated runs of set, in report order.
func oodKeys(recs []*Record, set string) []string {
	for _, r := range recs {
		if r != nil && r.Set == set && r.Status == "ok" && r.Report != nil && r.Report.Images != nil && r.Report.Images.OOD != nil {
			var keys []string
			for _, s := range r.Report.Images.OOD.Sets {
				keys = append(keys, shortSet(s.Name))
			}
			return keys
		}
	}
	return nil
}

// referenceRecord is an evaluated run of set with the Gaussian reference
// (nil if none): the reference depends on the data and the evaluation's
// seed, not on the model, so one run gives its rows.
func referenceRecord(recs []*Record, set string) *Record {
	for _, r := range recs {
		if r != nil && r.Set == set && r.Status == "ok" && r.Report != nil && r.Report.Images != nil && r.Report.Images.Reference != nil {
			return r
		}
	}
	return nil
}

// minutes returns the training minutes of the runs that did not fail.
func minutes(g []*Record, eval bool) []float64 {
	v := make([]float64, len(g))
	for i, r := range g {
		v[i] = r.TrainSec / 60
		if eval {
			v[i] = r.EvalSec / 60
		}
		if r.Status == "error" || (eval && r.Status != "ok") {
			v[i] = math.NaN()
		}
	}
	return v
}

// divergences is the cell of the guard's rollbacks and the runs that
// diverged or failed.
func divergences(g []*Record) string {
	div := make([]float64, len(g))
	ndiv, nerr := 0, 0
	for i, r := range g {
		div[i] = float64(r.Rollbacks)
		switch r.Status {
		case "diverged":
			ndiv++
		case "error":
			nerr++
			div[i] = math.NaN()
		}
	}
	s := cell(div, 1)
	if ndiv > 0 {
		s += fmt.Sprintf(", %d diverged", ndiv)
	}
	if nerr > 0 {
		s += fmt.Sprintf(", %d failed", nerr)
	}
	return s
}

// certificationOf is the certification of the first evaluated run of g.
func certificationOf(g []*Record) string {
	for _, r := range g {
		if r.Status == "ok" && r.Report != nil {
			return r.Report.Certification.Why
		}
	}
	return ""
}

func writeImageResults(w io.Writer, c Config, recs []*Record, commit string, date time.Time) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	writeHeader(p, "Image results", c, commit, date)
	p("")
	p("Every run: `ebm.DefaultImageConfig()` with the data set, pairing and seed (seeds 1–%d), %d iterations; %d run(s) at a time with %d linalg worker(s) each, so a run's minutes are its minutes on %d core(s).",
		c.Seeds, c.StepsFor(c.Pairings[0]), c.Parallel, max(1, c.Workers), max(1, c.Workers))
	for _, set := range c.Sets {
		p("- %s: %s", set, strings.Join(c.pairingsOf(set), ", "))
	}
	writeVariants(p, c.Pairings)
	p("")
	p("Units (eval.ImageReport): a LeakyReLU energy falls without bound away from the data, so exp(−E) has no normaliser on R^784; every likelihood is that of exp(−E) restricted to the pixel cube [−1, 1]^784 and normalised there, with log Z from annealed importance sampling on the cube — a stochastic *lower* bound, so every NLL is optimistic, the more so the lower the AIS's effective sample size (ESS, of its chains).")
	p("NLL is in nats per image on the undequantised test images (pixels 2v/255 − 1, the training data): a density of a continuous model at discrete points, not a code length.")
	p("bits/dim is computed on dequantised test images 2(v + u)/256 − 1, u ∼ U(0, 1): an upper bound on the code length of the discretised model, up to the AIS's optimism.")
	p("The bracket ⌊log Z⌋ (the trained lower bound), iw (the importance-weighted lower bound, exact log-det) and ⌈log Z⌉ (the trained upper bound) bound the normaliser on the generator's 32-D image manifold, not log Z on the cube: they are not comparable with the AIS value.")
	p("OOD: AUROC of the energy, test images of the training set against each set (eval.OODNote); for an energy with a Gaussian base (variants base-…) also of the network's part E_θ alone, −log of the model's likelihood ratio to the base^β up to a constant (eval.OODResult.Network). Samples: the shipped classifier of the data set (package classify) on generator samples and on their MALA refinements on the cube; Fréchet is the squared distance between Gaussian fits of its 128 penultimate features, against the test images.")
	p("The rows in italics are the Gaussian reference (eval.ImageReference), a simple density on the same data and test points: N(μ, Σ + λI) on R^784 with the mean and full covariance of the training images and the ridge λ chosen by the likelihood of held-out training images. Its log Z is exact, so its NLL is exact (on R^784, which restricting it to the cube could only lower); its OOD score is its NLL; its samples are clipped to the cube.")
	p("Entries are mean ± standard deviation over seeds; (k/n): only k of n runs gave a value. Minutes are wall-clock training and evaluation times.")

	for _, set := range c.Sets {
		prs := c.pairingsOf(set)
		keys := oodKeys(recs, set)
		p("")
		p("## %s", set)
		p("")
		p("| pairing | test NLL (nats/image) | bits/dim | AIS ESS | ⌊log Z⌋ | iw | ⌈log Z⌉ | divergences | train (min) | eval (min) |")
		p("|---|---|---|---|---|---|---|---|---|---|")
		for _, pr := range prs {
			g := group(recs, set, pr)
			if len(g) == 0 {
				p("| %s | not run | | | | | | | | |", pr)
				continue
			}
			p("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |", pr,
				cell(values(g, imgNLL), 1), cell(values(g, imgBits), 3), cell(values(g, aisESS), 1),
				cell(values(g, func(r *Record) float64 { return bracketValue(r, "lower") }), 1),
				cell(values(g, func(r *Record) float64 { return bracketKind(r, "iw") }), 1),
				cell(values(g, func(r *Record) float64 { return bracketValue(r, "upper") }), 1),
				divergences(g), cell(minutes(g, false), 1), cell(minutes(g, true), 1))
		}
		ref := referenceRecord(recs, set)
		refName := ""
		if ref != nil {
			ir := ref.Report.Images.Reference
			refName = fmt.Sprintf("*Gaussian (λ = %g·tr Σ/D)*", ir.RelRidge)
			p("| %s | %.1f | %.3f | — | — | — | — | — | — | — |", refName, float64(ir.NLL.Value), float64(ir.BitsPerDim.Value))
		}
		p("")
		for _, pr := range prs {
			if why := certificationOf(group(recs, set, pr)); why != "" {
				p("- certification of %s: %s", pr, why)
			}
		}
		p("")
		header, rule := "| pairing |", "|---|"
		for _, k := range keys {
			header += fmt.Sprintf(" AUROC vs %s |", k)
			rule += "---|"
		}
		p("%s", header)
		p("%s", rule)
		for _, pr := range prs {
			g := group(recs, set, pr)
			if len(g) == 0 {
				continue
			}
			row, net, hasNet := "| "+pr+" |", "| "+pr+": E_θ alone |", false
			for _, k := range keys {
				row += " " + cell(values(g, aurocOf(k)), 4) + " |"
				v := values(g, networkAUROCOf(k))
				net += " " + cell(v, 4) + " |"
				hasNet = hasNet || slices.ContainsFunc(v, func(x float64) bool { return !math.IsNaN(x) })
			}
			p("%s", row)
			if hasNet { // an energy with a Gaussian base: its network is a likelihood ratio against the base
				p("%s", net)
			}
		}
		if ref != nil {
			row := "| " + refName + " |"
			for _, k := range keys {
				row += " " + cell([]float64{referenceAUROC(ref, k)}, 4) + " |"
			}
			p("%s", row)
		}
		p("")
		p("| pairing | samples | classes | label KL | confident | Fréchet |")
		p("|---|---|---|---|---|---|")
		for _, pr := range prs {
			g := group(recs, set, pr)
			if len(g) == 0 {
				continue
			}
			for _, which := range []string{"generator", "langevin"} {
				name := which
				if which == "langevin" {
					name = "MALA"
				}
				p("| %s | %s | %s | %s | %s | %s |", pr, name,
					cell(values(g, sampleStat(which, classes)), 1), cell(values(g, sampleStat(which, labelKL)), 4),
					cell(values(g, sampleStat(which, func(q *classify.Report) float64 { return 100 * confident(q) })), 1)+" %",
					cell(values(g, sampleStat(which, frechet)), 1))
			}
		}
		if q := sampleStat("reference", classes)(ref); ref != nil && !math.IsNaN(q) {
			p("| %s | its samples | %.0f | %.4f | %.1f %% | %.1f |", refName, q, sampleStat("reference", labelKL)(ref),
				100*sampleStat("reference", confident)(ref), sampleStat("reference", frechet)(ref))
		}
	}

	p("")
	p("## Goals of issue 15")
	p("")
	for _, gl := range imageGoals(c, recs) {
		p("- %s", gl)
	}

	p("")
	p("## Every run")
	p("")
	p("| run | status | iterations | NLL ± SE | bits/dim | AUROCs | generator: classes, KL, confident | rollbacks | train (min) | eval (min) |")
	p("|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range recs {
		if r == nil {
			continue
		}
		name := Spec{r.Set, r.Pairing, r.Seed}.Name()
		if r.Status != "ok" || r.Report == nil {
			p("| %s | %s | %d | | | | | %d | %.1f | |", name, statusText(r), r.Steps, r.Rollbacks, r.TrainSec/60)
			continue
		}
		var aur []string
		for _, k := range oodKeys([]*Record{r}, r.Set) {
			aur = append(aur, fmt.Sprintf("%s %.4f", k, aurocOf(k)(r)))
		}
		gen := "—"
		if q := sampleStat("generator", classes)(r); !math.IsNaN(q) {
			gen = fmt.Sprintf("%.0f, %.4f, %.1f %%", q, sampleStat("generator", labelKL)(r), 100*sampleStat("generator", confident)(r))
		}
		p("| %s | ok | %d | %.1f ± %.1f | %s | %s | %s | %d | %.1f | %.1f |", name, r.Steps,
			imgNLL(r), float64(r.Report.Test.NLL.StdErr), fmtNum(imgBits(r)), strings.Join(aur, ", "), gen, r.Rollbacks, r.TrainSec/60, r.EvalSec/60)
	}
	p("")
	p("Pictures: `%s` (one tile per run: rows are data set × seed, columns the pairings %s; each tile is the run's evaluation panel — generator samples, their MALA refinements, the energy histogram of test images and OOD sets); each run's panel is `runs/<set>-<pairing>-s<seed>/eval.png`, its report `eval.json`.",
		ImagesGridFile, strings.Join(c.Pairings, ", "))
	_, err := io.WriteString(w, b.String())
	return err
}

// imageGoals states which of issue 15's goals hold, with the numbers.
func imageGoals(c Config, recs []*Record) []string {
	var out []string
	verdict := func(goal string, measured, holds bool, detail string) {
		switch {
		case !measured:
			out = append(out, fmt.Sprintf("%s: **not measured** (%s)", goal, detail))
		case holds:
			out = append(out, fmt.Sprintf("%s: **holds** (%s)", goal, detail))
		default:
			out = append(out, fmt.Sprintf("%s: **does not hold** (%s)", goal, detail))
		}
	}
	name := func(r *Record) string { return Spec{r.Set, r.Pairing, r.Seed}.Name() }
	// The goals of a default run are judged on the default pairing.
	dc := ebm.DefaultImageConfig()
	def, base := string(dc.Lower)+"+"+string(dc.Upper), "sv+none"
	mnist := group(recs, "mnist", def)

	// Time and divergence; runs of another length than the default say
	// what the default's length would take at their pace, and measure
	// nothing.
	var parts, bad []string
	short := false
	for _, r := range mnist {
		minutes := r.TrainSec / 60
		parts = append(parts, fmt.Sprintf("%s: %.1f min, %d rollbacks, %s", name(r), minutes, r.Rollbacks, r.Status))
		if r.Steps != dc.Steps && r.Steps > 0 {
			short = true
			parts[len(parts)-1] += fmt.Sprintf(" — %d iterations; at that pace the default's %d would take %.0f min", r.Steps, dc.Steps, minutes*float64(dc.Steps)/float64(r.Steps))
		}
		if r.Status != "ok" || r.Rollbacks > 0 || !(minutes <= goalMinutes) {
			bad = append(bad, name(r))
		}
	}
	detail := strings.Join(parts, "; ")
	if c.Parallel != 1 || max(1, c.Workers) != 2 {
		detail += fmt.Sprintf(" — measured with %d run(s) at a time and %d worker(s) each, not one run on 2 cores", c.Parallel, max(1, c.Workers))
	}
	if len(mnist) == 0 {
		detail = "no mnist " + def + " run"
	}
	verdict(fmt.Sprintf("A default MNIST run (%s) finishes in ≤ %d minutes on 2 cores with no divergence", def, goalMinutes), len(mnist) > 0 && !short, len(bad) == 0, detail)

	// Samples.
	measured := 0
	parts, bad = nil, nil
	for _, r := range mnist {
		k := sampleStat("generator", classes)(r)
		if math.IsNaN(k) {
			bad = append(bad, name(r)+": no sample-quality report")
			continue
		}
		measured++
		kl, conf := sampleStat("generator", labelKL)(r), sampleStat("generator", confident)(r)
		K := len(r.Report.Images.Quality.Generator.Samples.Histogram)
		parts = append(parts, fmt.Sprintf("%s: %.0f/%d classes, KL %.4f, confident %.1f %% (MALA: %.0f/%d, %.4f, %.1f %%)", name(r), k, K, kl, 100*conf,
			sampleStat("langevin", classes)(r), K, sampleStat("langevin", labelKL)(r), 100*sampleStat("langevin", confident)(r)))
		if !(int(k) == K && kl <= goalLabelKL && conf >= goalConfident) {
			bad = append(bad, name(r))
		}
	}
	detail = "generator samples, every mnist " + def + " run: " + strings.Join(parts, "; ")
	if len(bad) > 0 {
		detail += "; failing: " + strings.Join(bad, ", ")
	}
	verdict(fmt.Sprintf("Samples: 10/10 classes, label-histogram KL ≤ %g, ≥ %.0f %% classified with confidence ≥ 0.9", goalLabelKL, 100*goalConfident),
		measured > 0, len(bad) == 0, detail)

	// OOD.
	oodGoal := func(goal, set string, keys []string, threshold float64) {
		g := group(recs, set, def)
		var parts, bad []string
		n := 0
		for _, k := range keys {
			v := values(g, aurocOf(k))
			for i, x := range v {
				n++
				if !(x >= threshold) {
					bad = append(bad, fmt.Sprintf("%s vs %s: %s", name(g[i]), k, fmtNum(x)))
				}
			}
			parts = append(parts, fmt.Sprintf("vs %s %s", k, cell(v, 4)))
		}
		detail := fmt.Sprintf("energy AUROC of %s %s: %s", set, def, strings.Join(parts, ", "))
		if len(bad) > 0 {
			detail += "; below: " + strings.Join(bad, ", ")
		}
		verdict(goal, n > 0 && len(g) > 0, len(bad) == 0, detail)
	}
	oodGoal(fmt.Sprintf("OOD AUROC ≥ %g for MNIST-trained against Fashion-MNIST, uniform and Gaussian noise (every run)", goalAUROC),
		"mnist", []string{"fashion-mnist", "uniform", "Gaussian"}, goalAUROC)
	oodGoal(fmt.Sprintf("OOD AUROC ≥ %g for Fashion-MNIST-trained against MNIST (every run)", goalAUROCReversed),
		"fashion-mnist", []string{"mnist"}, goalAUROCReversed)

	// Bidirectional pairings against the baseline, on every metric.
	type metric struct {
		name   string
		f      func(*Record) float64
		higher bool    // larger is better
		best   float64 // a tie at this value (the metric's optimum) counts as better (NaN: none)
	}
	for _, set := range c.Sets {
		gb := group(recs, set, base)
		if len(gb) == 0 {
			continue
		}
		metrics := []metric{{"test NLL", imgNLL, false, math.NaN()}, {"bits/dim", imgBits, false, math.NaN()}}
		for _, k := range oodKeys(recs, set) {
			metrics = append(metrics, metric{"AUROC vs " + k, aurocOf(k), true, 1})
		}
		for _, which := range []string{"generator", "langevin"} {
			metrics = append(metrics,
				metric{which + " classes", sampleStat(which, classes), true, 10}, // both sets have ten classes
				metric{which + " label KL", sampleStat(which, labelKL), false, math.NaN()},
				metric{which + " confident", sampleStat(which, confident), true, math.NaN()},
				metric{which + " Fréchet", sampleStat(which, frechet), false, math.NaN()})
		}
		for _, pr := range c.pairingsOf(set) {
			if pr == base || !strings.HasSuffix(pr, "+gp") && !strings.HasSuffix(pr, "+diffusion") {
				continue
			}
			gd := group(recs, set, pr)
			if len(gd) == 0 {
				continue
			}
			var worse, cmp []string
			for _, m := range metrics {
				md, _, nd := meanStd(values(gd, m.f))
				mb, _, nb := meanStd(values(gb, m.f))
				if nd == 0 && nb == 0 {
					continue
				}
				cmp = append(cmp, fmt.Sprintf("%s %s vs %s", m.name, fmtNum(md), fmtNum(mb)))
				better := nb == 0 || (nd > 0 && ((m.higher && md > mb) || (!m.higher && md < mb) || (md == mb && md == m.best)))
				if !better {
					worse = append(worse, m.name)
				}
			}
			detail := fmt.Sprintf("means over seeds, %s vs %s: %s", pr, base, strings.Join(cmp, "; "))
			if len(worse) > 0 {
				detail += "; not better on: " + strings.Join(worse, ", ")
			}
			verdict(fmt.Sprintf("%s beats the lower-bound-only baseline on every metric (%s)", pr, set), len(cmp) > 0, len(worse) == 0, detail)
		}
	}
	if !slices.ContainsFunc(c.Sets, func(s string) bool { return slices.Contains(c.pairingsOf(s), base) }) {
		out = append(out, "The comparison with the baseline needs sv+none runs: none in this sweep.")
	}
	out = append(out, "The NLLs rest on AIS lower bounds of log Z whose optimism differs between models (see the ESS column): a lower NLL is evidence, not proof, of a better model.")
	return out
}
