package eval

import (
	"errors"
	"fmt"
	"github.com/ebmcpu/ebmcpu/internal/jsonnum"
	"math"
	"sync"
	"time"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/nn"
)

// ErrData marks an evaluation that failed because the model's data set
// could not be opened or does not fit the model (a moved CSV, a changed
// file): a problem with the input rather than with the evaluation.
var ErrData = errors.New("eval: the model's data")

// Options set the evaluation; the zero value selects the defaults.
type Options struct {
	// Grid is the number of cells per side of the 2-D quadrature grid
	// (0: 200); the checks use 2·Grid and 1.5·Grid.
	Grid int
	// Box > 0 sets the grid box [−Box, Box]²; 0 takes the data set's box
	// (Toy.Bounds, or the CSV's range plus 10%) made square about 0.
	Box float64
	// Samples is the number of generator samples, of MALA chains on the
	// EBM and of held-out points they are compared with (0: 2000; image
	// models: 500).
	Samples int
	// TestPoints is the number of fresh toy samples for the test NLL (0:
	// 20000; image models: 10000); a CSV uses its 20% split, MNIST its test
	// files (at most TestPoints images).
	TestPoints int
	// Latents is the number of latents for the bracket (0: 1000), in
	// batches of BoundBatch (0: 200).
	Latents, BoundBatch int
	// Seed seeds every stream of the evaluation ("eval/…"), independent of
	// the run's seed.
	Seed uint64
	// AIS sets annealed importance sampling (D > 2, and the 2-D cross-check
	// of the grid unless SkipAIS2D); its BaseStd 0 selects the root mean
	// square coordinate of the test points. Image models run it on the
	// pixel cube (CubeEnergy) from a base fitted to the data; the zero
	// value selects 32 chains, 300 temperatures, one MALA step each.
	AIS       AISConfig
	SkipAIS2D bool
	// Langevin sets the MALA sampler of the EBM, started from the
	// generator samples (image models: on the pixel cube, RefineImages; the
	// zero value selects 20 + 30 steps).
	Langevin LangevinConfig
	// Diffusion, if set, replaces the evaluation's diffusion settings
	// (evalDiffusionConfig: the model's, with ≥ 9 nodes, ≥ 20 MALA steps
	// per node).
	Diffusion *bounds.DiffusionConfig
	// SkipBracket leaves the bracket out (a cheap evaluation during
	// training).
	SkipBracket bool
	// CoverFraction sets the modes-covered threshold (0:
	// DefaultCoverFraction).
	CoverFraction float64

	// IWK is the group size K of the importance-weighted lower bound of
	// the bracket (0: 100, or Latents/2 when there are fewer than 2K
	// latents; −1: leave it out).
	IWK int
	// DiffusionLatents is the number of the bracket's latents the diffusion
	// upper bound is evaluated on, the dearest part of the bracket (0: all
	// of them, except for image models, where it is evaluated on
	// min(Latents, 100) latents when the model was trained with it and left
	// out otherwise; −1: leave it out).
	DiffusionLatents int

	// Image models only (see ImageReport).
	//
	// OODPoints is the number of points of each out-of-distribution set
	// (0: 2000; −1: no OOD test). FitImages is the number of training
	// images the AIS base and the Gaussian noise are fitted to (0: 10000).
	// SkipQuality leaves out the classifier's sample-quality metrics.
	OODPoints   int
	FitImages   int
	SkipQuality bool
}

// The defaults of image models, sized so that the evaluation of a default
// MNIST model (ebm.DefaultImageConfig) takes a few minutes on 2 cores, where
// a gradient of the energy costs about a millisecond per image: 500
// generator samples, each refined by MALA (20 burn-in steps adapting the
// step every 2 steps, then 30); the whole MNIST test split; AIS with 32
// chains through 300 temperatures with one MALA step each, from a diagonal
// Gaussian fitted to the data in the coordinates of CubeEnergy.
const (
	imageSamples    = 500
	imageTestPoints = 10000
)

var (
	imageAIS      = AISConfig{Temps: 300, Chains: 32, Steps: 1, PilotChains: 16}
	imageLangevin = LangevinConfig{Steps: 30, BurnIn: 20, AdaptEvery: 2}
)

// Limits of the options: a grid of MaxGrid² cells (checked at 2·MaxGrid)
// and MaxPoints samples or latents stay within a few hundred megabytes.
const (
	MaxGrid   = 2048
	MaxPoints = 1 << 20
)

// Validate reports the first option out of range (after defaults), naming
// it as the command line does.
func (o Options) Validate() error {
	_, err := o.withDefaults(false)
	return err
}

// withDefaults fills the zero options with the defaults, those of image
// models when image is set.
func (o Options) withDefaults(image bool) (Options, error) {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	if image {
		def(&o.Samples, imageSamples)
		def(&o.TestPoints, imageTestPoints)
		if o.AIS == (AISConfig{}) {
			o.AIS = imageAIS
		}
		if o.Langevin == (LangevinConfig{}) {
			o.Langevin = imageLangevin
		}
	}
	def(&o.Grid, 200)
	def(&o.Samples, 2000)
	def(&o.TestPoints, 20000)
	def(&o.Latents, 1000)
	def(&o.BoundBatch, 200)
	def(&o.OODPoints, 2000)
	def(&o.FitImages, 10000)
	def(&o.IWK, 100)
	points := func(n int) bool { return n >= 2 && n <= MaxPoints }
	count := func(n int) bool { return n == -1 || (n >= 1 && n <= MaxPoints) }
	switch {
	case !count(o.IWK) || !count(o.OODPoints) || (o.DiffusionLatents != 0 && !count(o.DiffusionLatents)):
		return o, fmt.Errorf("iw K = %d, OOD points = %d and diffusion latents = %d: want 1 to %d, or −1 to leave the part out",
			o.IWK, o.OODPoints, o.DiffusionLatents, MaxPoints)
	case !points(o.FitImages):
		return o, fmt.Errorf("fit images = %d, want 2 to %d", o.FitImages, MaxPoints)
	case o.Grid < 3 || o.Grid > MaxGrid:
		return o, fmt.Errorf("grid = %d cells per side, want 3 to %d", o.Grid, MaxGrid)
	case !points(o.Samples) || !points(o.TestPoints):
		return o, fmt.Errorf("samples = %d and test points = %d, want 2 to %d", o.Samples, o.TestPoints, MaxPoints)
	case !points(o.Latents) || !points(o.BoundBatch):
		return o, fmt.Errorf("latents = %d and bound batch = %d, want 2 to %d", o.Latents, o.BoundBatch, MaxPoints)
	case !(o.Box >= 0) || math.IsInf(o.Box, 0):
		return o, fmt.Errorf("box = %v, want a finite B > 0 (or 0 for the data set's box)", o.Box)
	}
	return o, nil
}

// Report is the evaluation of one model (SPEC §7). Every log-normaliser,
// NLL, entropy, KL and bound is in nats (per point; for images, per image).
type Report struct {
	Model     string `json:"model,omitempty"` // checkpoint path
	Step      int    `json:"step"`            // training iterations (−1: unknown)
	Dataset   string `json:"dataset"`
	Dim       int    `json:"dim"`        // data width D
	LatentDim int    `json:"latent_dim"` // generator input width d
	// Lower and Upper are the pairing the model was trained with (Upper
	// "none": the lower-bound-only baseline).
	Lower string `json:"lower"`
	Upper string `json:"upper"`
	// GaussianBase is the weight β of the energy's Gaussian base
	// (ebm.BaseConfig; 0: none).
	GaussianBase float64         `json:"gaussian_base,omitempty"`
	Seed         uint64          `json:"seed"`    // the evaluation seed
	Units        string          `json:"units"`   // "nats"
	Seconds      jsonnum.Float64 `json:"seconds"` // wall time of the evaluation

	// LogZ is the log Z behind the NLL: "grid" (2-D; exact on the box, SE
	// 0) or "ais" (D > 2; a stochastic lower bound, so the NLL is
	// optimistic; image models: on the pixel cube, see ImageReport).
	LogZ       bounds.Estimate `json:"log_z"`
	LogZMethod string          `json:"log_z_method"`
	// NormalisedOnBox: the 2-D model is normalised on the grid box, not on
	// R² (see GridReport.NormalisedOnBox).
	NormalisedOnBox bool `json:"normalised_on_box"`

	Grid *GridReport `json:"grid,omitempty"` // 2-D
	AIS  *AISResult  `json:"ais,omitempty"`  // D > 2, and the 2-D cross-check

	Test TestReport `json:"test"`
	// Bracket lists each lower bound, then each upper bound, on the same
	// latents; the exact log Z to compare them with is LogZ.
	Bracket []BoundReport `json:"bracket"`
	Latents int           `json:"bracket_latents"` // latents z ∼ N(0, I) behind each bound
	// Width is the width upper − lower of the trained bracket and of the
	// narrowest one the evaluated bounds give (nil without an upper bound).
	Width      *BracketWidth `json:"bracket_width,omitempty"`
	Violations []Violation   `json:"violations"`
	// Certification says which sides of the model's trained bracket are
	// certified bounds, and on which assumptions (ebm.Certify).
	Certification ebm.Certification `json:"certification"`

	Generator SampleReport `json:"generator_samples"`
	Langevin  SampleReport `json:"langevin_samples"`

	// Images holds what is measured of image models only: the units of
	// their likelihood, bits/dim, the out-of-distribution test and the
	// classifier's sample quality.
	Images *ImageReport `json:"images,omitempty"`

	Notes []string `json:"notes"`
	Panel string   `json:"panel,omitempty"` // the PNG panel, once written

	// Pictures holds what a picture of the evaluation draws (package plot);
	// it is not part of the JSON report.
	Pictures *Pictures `json:"-"`
}

// TestReport is the likelihood of held-out data.
type TestReport struct {
	Source string `json:"source"` // where the test points come from
	N      int    `json:"n"`
	// NLL = mean over the test points of E(x) + log Z; its SE is that of
	// the mean energy and, for AIS, that of log Z (grid: counted exact).
	NLL bounds.Estimate `json:"nll"`
	// Optimistic: log Z is a stochastic lower bound (AIS), so NLL is too.
	Optimistic bool `json:"optimistic,omitempty"`
	// DataEntropy is H(data) of the set's closed-form density (Toy.Entropy);
	// KLGap = NLL − H(data) ≈ KL(data ‖ model) with the NLL's SE, and
	// KLGapPaired the same quantity estimated pointwise, as the mean of
	// log p_data(x) + E(x) + log Z over the same points: its SE is that of
	// the log-ratio, much smaller than the NLL's once the model is close to
	// the data.
	DataEntropy *jsonnum.Float64 `json:"data_entropy,omitempty"`
	KLGap       *bounds.Estimate `json:"kl_gap,omitempty"`
	KLGapPaired *bounds.Estimate `json:"kl_gap_paired,omitempty"`
}

// SampleReport measures a set of samples against held-out data.
type SampleReport struct {
	N int `json:"n"`
	// MMD2 is the unbiased MMD² to N held-out points (RBF kernel,
	// median-heuristic Bandwidth); it can be slightly negative.
	MMD2      jsonnum.Float64 `json:"mmd2"`
	Bandwidth jsonnum.Float64 `json:"bandwidth"`
	Modes     *ModeReport     `json:"modes,omitempty"`   // Gaussian mixtures
	Sampler   *LangevinReport `json:"sampler,omitempty"` // Langevin samples
}

// Pictures are what a picture of an evaluation shows, in data coordinates.
type Pictures struct {
	Test  []float64 // the held-out points, N×D
	Toy   *data.Toy // the built-in set (for its true density), or nil
	Image [2]int    // height and width of image data (0 otherwise)
	Grid  *Grid     // the 2-D quadrature grid, or nil
	Box   data.Box  // the grid's box (2-D)
	// Generator and Langevin are the generator samples and their MALA
	// refinements on the EBM, n×D.
	Generator, Langevin []float64
	// Energies are the energies of named sets of points (image models: the
	// test images and each out-of-distribution set), for a histogram.
	Energies []NamedValues
	Title    string
}

// NamedValues are values of one named set of points.
type NamedValues struct {
	Name   string
	Values []float64
}

// EvaluateModel evaluates a loaded model (see FromModel).
func EvaluateModel(m *ebm.Model, opt Options) (*Report, error) {
	s, err := FromModel(m)
	if err != nil {
		return nil, err
	}
	return Evaluate(s, opt)
}

// Evaluate measures the subject (SPEC §7): the exact 2-D log Z with its
// convergence checks or AIS for D > 2, the test NLL and KL gap, the bracket
// with its violations, the quality of generator and Langevin samples, and
// for image models bits/dim, the out-of-distribution test and the
// classifier's sample quality (ImageReport). It works on copies of the
// networks and runs its independent parts concurrently; the result depends
// only on the subject and the options.
func Evaluate(s *Subject, opt Options) (*Report, error) {
	start := time.Now()
	if err := opt.Validate(); err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	if s == nil || s.Nets.Energy == nil || s.Nets.Generator == nil {
		return nil, errors.New("eval: the subject needs an energy and a generator network")
	}
	cfg := s.Config
	D, d := s.Nets.Energy.In(), s.Nets.Generator.In()
	if s.Nets.Generator.Out() != D || s.Nets.Energy.Out() != 1 {
		return nil, fmt.Errorf("eval: the energy takes width %d and outputs %d; the generator outputs %d", D, s.Nets.Energy.Out(), s.Nets.Generator.Out())
	}
	src, err := data.Open(cfg.Dataset, false)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrData, err)
	}
	// Image models have their own defaults; the test points are read once
	// the defaults are known.
	image := src.Images != nil && src.Images.Height*src.Images.Width == D
	if opt, err = opt.withDefaults(image); err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	held, err := src.HeldOut(nn.NewStream(opt.Seed, "eval/test").Rand, opt.TestPoints)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrData, err)
	}
	if held.D != D {
		return nil, fmt.Errorf("%w: dataset %s has %d columns but the model takes %d", ErrData, cfg.Dataset, held.D, D)
	}
	r := &Report{Model: s.Name, Step: s.Step, Dataset: cfg.Dataset, Dim: D, LatentDim: d, Lower: string(cfg.Lower), Upper: string(cfg.Upper),
		GaussianBase: cfg.Base.Weight, Seed: opt.Seed, Units: "nats", Notes: append([]string{}, held.Notes...), Violations: []Violation{},
		Test: TestReport{Source: held.Source, N: held.N()}, Certification: ebm.Certify(cfg, s.Nets.Generator)}
	art := &Pictures{Test: held.X, Toy: held.Toy, Image: held.Image, Title: fmt.Sprintf("%s, %s+%s", cfg.Dataset, cfg.Lower, cfg.Upper)}
	if s.Step >= 0 {
		art.Title += fmt.Sprintf(", step %d", s.Step)
	}
	r.Pictures = art
	var img *imageEval
	if image {
		img = &imageEval{rep: &ImageReport{Height: held.Image[0], Width: held.Image[1], Units: ImageUnits,
			Support: fmt.Sprintf("the pixel cube [%g, %g]^%d", PixelLo, PixelHi, D)},
			coords: FitImageCoords(src.Images, opt.FitImages, nn.NewStream(opt.Seed, "eval/coords")),
			xd:     dequantize(held.X, nn.NewStream(opt.Seed, "eval/dequantize"))}
		if img.gauss, err = fitImageGaussians(src.Images, opt.FitImages, nn.NewStream(opt.Seed, "eval/reference")); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrData, err)
		}
		r.Images = img.rep
	}

	// Each task works on its own copies of the networks.
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		errs    []error
		testE   []float64
		bracket []BoundReport
		brNotes []string
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	task := func(f func(nets bounds.Nets[float32]) error) {
		nets, err := s.copyNets()
		if err != nil {
			fail(err)
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(nets); err != nil {
				fail(err)
			}
		}()
	}
	// Grid quadrature (2-D) and the test energies.
	task(func(nets bounds.Nets[float32]) error {
		ne, err := NewNetworkEnergy(nets.Energy, nets.Base, gridChunk)
		if err != nil {
			return err
		}
		testE = make([]float64, held.N())
		var testNet []float64 // E_θ of the test images: an OOD score of a model with a Gaussian base
		if img != nil && nets.Base.Precision != nil {
			testNet = make([]float64, held.N())
			img.network.in = testNet
		}
		ne.EnergyParts(held.X, testE, testNet)
		if img != nil {
			img.testEnergies(ne, held, testE, opt)
			return nil
		}
		if D != 2 {
			return nil
		}
		box := held.Box.Square()
		if opt.Box > 0 {
			box = data.Box{Min: [2]float64{-opt.Box, -opt.Box}, Max: [2]float64{opt.Box, opt.Box}}
		}
		gr, g, err := CheckGrid(ne, box, opt.Grid)
		if err != nil {
			return err
		}
		r.Grid, art.Grid, art.Box = &gr, g, box
		return nil
	})
	// AIS: the log Z of D > 2, a cross-check in 2-D.
	if D != 2 || !opt.SkipAIS2D {
		task(func(nets bounds.Nets[float32]) error {
			ne, err := NewNetworkEnergy(nets.Energy, nets.Base, 256)
			if err != nil {
				return err
			}
			ac := opt.AIS
			var en BatchEnergy = ne
			if img != nil {
				if en, err = img.aisEnergy(ne); err != nil {
					return err
				}
				ac.BaseStd = 1
			} else if ac.BaseStd == 0 {
				ac.BaseStd = rms(held.X)
			}
			res, err := AIS(en, ac, nn.NewStream(opt.Seed, "eval/ais"))
			if err != nil {
				return err
			}
			r.AIS = res
			return nil
		})
	}
	// The bracket.
	if !opt.SkipBracket {
		task(func(nets bounds.Nets[float32]) error {
			bracket = evalBracket(s, nets, opt, image, &brNotes)
			return nil
		})
	}
	// The out-of-distribution sets of an image model.
	if img != nil && opt.OODPoints > 0 {
		task(func(nets bounds.Nets[float32]) error {
			ne, err := NewNetworkEnergy(nets.Energy, nets.Base, 256)
			if err != nil {
				return err
			}
			img.oodEnergies(ne, nets.Base.Precision != nil, src.Spec, src.Images, opt)
			return nil
		})
	}
	// The Gaussian reference of an image model.
	if img != nil {
		task(func(bounds.Nets[float32]) error {
			img.reference(held)
			return nil
		})
	}
	// Generator and Langevin samples.
	task(func(nets bounds.Nets[float32]) error {
		var coords *ImageCoords
		if img != nil {
			coords = img.coords
		}
		if err := evalSamples(r, art, nets, held, opt, coords); err != nil {
			return err
		}
		if img != nil && !opt.SkipQuality {
			var note string
			xr := img.gauss.reference.Sample(len(art.Generator)/D, PixelLo, PixelHi, nn.NewStream(opt.Seed, "eval/reference/samples"))
			if img.rep.Quality, note = sampleQuality(src.Spec, art.Generator, art.Langevin, xr, opt.TestPoints); note != "" {
				img.notes = append(img.notes, note)
			}
		}
		return nil
	})
	wg.Wait()
	if len(errs) > 0 {
		return nil, fmt.Errorf("eval: %w", errors.Join(errs...))
	}
	r.Bracket = bracket
	if !opt.SkipBracket {
		r.Latents = opt.Latents
	}
	r.Notes = append(r.Notes, brNotes...)
	if r.Bracket == nil {
		r.Bracket = []BoundReport{}
	}

	// log Z, the NLL and the KL gap.
	var refErr float64
	switch {
	case r.Grid != nil:
		// log Z over the plane (the grid grown until the mass outside is
		// negligible), not on the data's box: box-normalised NLLs and KL
		// gaps are optimistic when the density reaches the box's edge.
		r.LogZ, r.LogZMethod = estimate(float64(r.Grid.PlaneLogZ), 0), "grid"
		r.NormalisedOnBox = !r.Grid.PlaneConverged
		refErr = math.Abs(float64(r.Grid.RefineChange))
		if r.NormalisedOnBox {
			r.Notes = append(r.Notes, fmt.Sprintf("grid: exp(−E) still has mass at the edge of a box of %d cells per side "+
				"(the data's box grown %.3g×): log Z, the NLL and the KL gap refer to the model normalised on that box", r.Grid.PlaneN,
				float64(r.Grid.PlaneN)/float64(r.Grid.N)))
		} else if !r.Grid.Resolved {
			r.Notes = append(r.Notes, "grid: "+r.Grid.Note)
		}
	case r.AIS != nil:
		r.LogZ, r.LogZMethod = r.AIS.LogZ, "ais"
		refErr = float64(r.AIS.LogZ.StdErr)
		r.Test.Optimistic = true
		if img != nil {
			r.Notes = append(r.Notes, "log Z of exp(−E) on the pixel cube [-1, 1]^D from "+AISNote)
		} else {
			r.Notes = append(r.Notes, "log Z from "+AISNote)
		}
		if ess := float64(r.AIS.ESS); ess < 0.1*float64(r.AIS.Chains) {
			r.Notes = append(r.Notes, fmt.Sprintf("AIS: effective sample size %.1f of %d chains: log Ẑ rests on a few chains, its SE understates its error, "+
				"and it may lie far below log Z (more temperatures would tighten it)", ess, r.AIS.Chains))
		}
	}
	testNLL(r, held, testE)
	r.Width = bracketWidth(r.Bracket)
	if r.LogZMethod == "grid" {
		r.Violations = append(r.Violations, checkBracket(cfg, r.Bracket, float64(r.LogZ.Value), refErr, true, r.NormalisedOnBox, "exact log Z (grid)")...)
		if v, ok := checkAIS(r); ok {
			r.Violations = append(r.Violations, v)
		}
	} else if r.LogZMethod == "ais" {
		r.Violations = append(r.Violations, checkBracket(cfg, r.Bracket, float64(r.LogZ.Value), refErr, false, false, "AIS log Ẑ (stochastic lower bound)")...)
	}
	r.Violations = append(r.Violations, checkCrossed(cfg, r.Bracket)...)
	if img != nil {
		img.finish(r, held, testE, art)
	}
	for _, b := range r.Bracket {
		if b.Manifold {
			r.Notes = append(r.Notes, fmt.Sprintf("d = %d < D = %d: the bracket bounds the normaliser of exp(−E) on the generator's image manifold, not comparable with log Z on R^%d", d, D, D))
			break
		}
	}
	r.Seconds = jsonnum.Float64(time.Since(start).Seconds())
	return r, nil
}

// checkAIS compares the 2-D AIS estimate with the exact grid value: AIS is
// a stochastic lower bound, so an estimate above the exact value beyond
// its error is a bug (or an under-resolved grid).
func checkAIS(r *Report) (Violation, bool) {
	if r.AIS == nil || r.Grid == nil || r.NormalisedOnBox {
		return Violation{}, false
	}
	v, se := float64(r.AIS.LogZ.Value), float64(r.AIS.LogZ.StdErr)
	ref := float64(r.Grid.PlaneLogZ)
	tol := 3*se + math.Abs(float64(r.Grid.RefineChange))
	if !(v-ref > tol) {
		if ref-v > tol {
			r.Notes = append(r.Notes, fmt.Sprintf("AIS log Ẑ = %.3f is %.3f nats below the exact log Z: more temperatures would tighten it", v, ref-v))
		}
		return Violation{}, false
	}
	return Violation{Side: "ais", Bound: "AIS log Ẑ", Value: jsonnum.Float64(r.AIS.LogZ.Value), StdErr: jsonnum.Float64(r.AIS.LogZ.StdErr), Reference: jsonnum.Float64(ref),
		RefName: "exact log Z (grid)", Excess: jsonnum.Float64(v - ref), Tolerance: jsonnum.Float64(tol),
		Assumption: "AIS with MALA kernels is a stochastic lower bound of log Z; exceeding the exact value means an under-resolved grid or a bug"}, true
}

// testNLL fills the test likelihood from the test energies.
func testNLL(r *Report, held *data.HeldOut, e []float64) {
	logZ := float64(r.LogZ.Value)
	r.Test.NLL = likelihoodSE(meanSE(e), r.LogZ)
	if held.Toy == nil || !held.Toy.HasDensity() {
		return
	}
	h, _ := held.Toy.Entropy()
	hf := jsonnum.Float64(h)
	r.Test.DataEntropy = &hf
	gap := estimate(float64(r.Test.NLL.Value)-h, float64(r.Test.NLL.StdErr))
	r.Test.KLGap = &gap
	terms := make([]float64, len(e))
	for i := range terms {
		lp, _ := held.Toy.LogDensity(held.X[2*i], held.X[2*i+1])
		terms[i] = lp + e[i] + logZ
	}
	paired := meanSE(terms)
	r.Test.KLGapPaired = &paired
}

// rms is the root mean square of the values (at least 1e-3).
func rms(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Max(math.Sqrt(s/float64(len(x))), 1e-3)
}

// evalSamples draws generator samples, refines copies of them by MALA on
// the EBM (on the pixel cube in the coordinates coords for an image model,
// coords nil otherwise), and measures both against held-out points.
func evalSamples(r *Report, art *Pictures, nets bounds.Nets[float32], held *data.HeldOut, opt Options, coords *ImageCoords) error {
	gen := nets.Generator
	n, D, d := opt.Samples, gen.Out(), gen.In()
	z := make([]float32, n*d)
	nn.Normal(nn.NewStream(opt.Seed, "eval/generator"), z)
	ws := gen.NewWorkspace(min(n, 256), 0)
	xg := make([]float64, n*D)
	for s := 0; s < n; s += ws.MaxBatch() {
		m := min(ws.MaxBatch(), n-s)
		for i, v := range ws.Forward(z[s*d:(s+m)*d], nn.Eval) {
			xg[s*D+i] = float64(v)
		}
	}
	ne, err := NewNetworkEnergy(nets.Energy, nets.Base, 256)
	if err != nil {
		return err
	}
	xl := append([]float64(nil), xg...)
	var lr LangevinReport
	if coords != nil {
		lr, err = RefineImages(ne, xl, coords, opt.Langevin, nn.NewStream(opt.Seed, "eval/langevin"))
	} else {
		lr, err = SampleEBM(ne, xl, opt.Langevin, nn.NewStream(opt.Seed, "eval/langevin"))
		lr.Init = "the generator samples"
	}
	if err != nil {
		return err
	}
	art.Generator, art.Langevin = xg, xl
	ref := held.X[:min(len(held.X), n*D)]
	for _, side := range []struct {
		rep *SampleReport
		x   []float64
	}{{&r.Generator, xg}, {&r.Langevin, xl}} {
		side.rep.N = n
		mmd, h, err := MMD2(side.x, ref, D, 0)
		if err != nil {
			side.rep.MMD2, side.rep.Bandwidth = jsonnum.Float64(math.NaN()), jsonnum.Float64(math.NaN())
		} else {
			side.rep.MMD2, side.rep.Bandwidth = jsonnum.Float64(mmd), jsonnum.Float64(h)
		}
		if held.Toy != nil {
			if centres, sigma, ok := held.Toy.Modes(); ok {
				mr, err := Modes(side.x, centres, sigma, opt.CoverFraction)
				if err != nil {
					return err
				}
				side.rep.Modes = &mr
			}
		}
	}
	r.Langevin.Sampler = &lr
	return nil
}

// estimate is a bounds.Estimate of a value and its standard error.
func estimate(v, se float64) bounds.Estimate { return bounds.Estimate{Value: v, StdErr: se} }

// meanSE is the mean of v and its standard error (bounds.MeanSE); a
// non-finite value makes it NaN rather than being left out, so that a
// report never averages over fewer points than it says.
func meanSE(v []float64) bounds.Estimate {
	e, skipped := bounds.MeanSE(v)
	if skipped > 0 {
		return estimate(math.NaN(), math.NaN())
	}
	return e
}
