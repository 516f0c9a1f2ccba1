package eval

import (
	"fmt"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/nn"
)

// Subject is a model to evaluate: the run configuration and the two
// networks. Evaluate works on copies of the networks, so a training loop can
// pass its live networks between steps and keep training afterwards.
type Subject struct {
	Config ebm.Config
	Nets   bounds.Nets[float32]
	// Aux holds the trained auxiliary parameters of the mi bound by name
	// (a checkpoint's "aux/<name>" tensors). Without them the model's own
	// mi bound is evaluated with freshly initialised auxiliary networks:
	// still a valid lower bound, but a loose one (the report says so).
	Aux map[string][]float32
	// Name labels the report (the checkpoint path); Step is the number of
	// training iterations behind the model (−1 if unknown).
	Name string
	Step int
}

// Load reads the model of a checkpoint file or run directory, with the
// trained auxiliary parameters of its bounds. A missing, corrupt or
// foreign file is an error naming it.
func Load(path string) (*Subject, error) {
	ckpt, _ := ebm.ResolveRun(path)
	m, err := ebm.LoadModel(ckpt)
	if err != nil {
		return nil, err
	}
	s, err := FromModel(m)
	if err != nil {
		return nil, err
	}
	s.Name = ckpt
	return s, nil
}

// FromModel returns the subject of a loaded model: copies of its networks
// and its auxiliary parameters.
func FromModel(m *ebm.Model) (*Subject, error) {
	nets, err := m.Networks()
	if err != nil {
		return nil, err
	}
	return &Subject{Config: m.Config(), Nets: nets, Aux: m.AuxValues(), Step: m.Step()}, nil
}

// copyNets returns fresh copies of the subject's networks.
func (s *Subject) copyNets() (bounds.Nets[float32], error) {
	nets, err := ebm.CopyNets(s.Config, s.Nets)
	if err != nil {
		return nets, fmt.Errorf("the network does not match its configuration: %w", err)
	}
	return nets, nil
}

// heldOut is the evaluation data of a run: test points for the NLL and the
// sample metrics, the set's density where known and a plotting box.
type heldOut struct {
	D      int
	test   []float64 // N×D
	toy    *data.Toy // nil unless a built-in set
	box    data.Box  // 2-D only
	source string
	image  [2]int // height, width of image data (0 otherwise)
	notes  []string
}

func (h *heldOut) n() int { return len(h.test) / h.D }

// csvTestFraction is the share of a CSV's rows used as test points.
const csvTestFraction = 0.2

// openHeldOut opens the data of cfg: fresh toy samples (nToy points) from
// the stream "eval/test" of seed, a seeded 20% split of a CSV, or the test
// split of MNIST.
func openHeldOut(cfg ebm.Config, seed uint64, nToy int) (*heldOut, error) {
	spec, err := data.ParseSpec(cfg.Dataset)
	if err != nil {
		return nil, err
	}
	stream := nn.NewStream(seed, "eval/test")
	switch spec.Kind {
	case data.KindMNIST:
		h := &heldOut{source: "the MNIST test split (t10k files)"}
		im, err := data.LoadMNISTDir(spec.Path, true)
		if err != nil {
			if im, err = data.LoadMNISTDir(spec.Path, false); err != nil {
				return nil, err
			}
			h.source = "the MNIST training files (no t10k files found): NOT held out from training"
			h.notes = append(h.notes, "test NLL on training images: the t10k files are missing")
		}
		src := im.Source(data.Symmetric, false)
		n := min(src.Len(), nToy)
		h.D, h.image = src.Dim(), [2]int{im.Height, im.Width}
		h.test = make([]float64, n*h.D)
		row := make([]float32, h.D)
		for i := 0; i < n; i++ {
			src.Row(i, row, nil)
			for j, v := range row {
				h.test[i*h.D+j] = float64(v)
			}
		}
		return h, nil
	case data.KindCSV:
		ds, err := data.LoadCSV(spec.Path)
		if err != nil {
			return nil, err
		}
		_, idx, err := data.SplitIndices(ds.Len(), csvTestFraction, nn.NewStream(seed, "eval/split").Rand)
		if err != nil {
			return nil, fmt.Errorf("dataset %s: %w", spec.Path, err)
		}
		h := &heldOut{D: ds.Dim(), test: ds.Take(idx).X,
			source: fmt.Sprintf("a seeded %g%% split of %s (%d of %d rows)", 100*csvTestFraction, spec.Path, len(idx), ds.Len())}
		h.notes = append(h.notes, "the trainer fits every row of a CSV, so the CSV test rows are not held out from training: the test NLL is a training-set NLL")
		if h.D == 2 {
			h.box = data.RangeBox(ds)
		}
		return h, nil
	}
	toy, err := data.NewToy(spec.Name)
	if err != nil {
		return nil, err
	}
	h := &heldOut{D: 2, toy: toy, box: toy.Bounds(), test: make([]float64, 2*nToy),
		source: fmt.Sprintf("%d fresh i.i.d. samples of %s from the stream \"eval/test\" of the evaluation seed", nToy, toy.Name())}
	toy.Sample(stream.Rand, h.test, nToy)
	return h, nil
}
