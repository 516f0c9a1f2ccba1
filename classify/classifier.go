package classify

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/ebmcpu/ebmcpu/nn"
)

// Spec describes a classifier's architecture and the images it takes: C×H×W
// images flattened NCHW and scaled to [−1, 1] (data.Symmetric), classified
// into Classes classes by
//
//	Conv 3×3/1 (C→w₁) → act → Conv 3×3/2 (w₁→w₂) → act → … → Conv 3×3/2 (w_{L−1}→w_L) → act
//	→ Linear(w_L·h_L·w_L → Features) → act   (the feature network: the penultimate features)
//	→ Linear(Features → Classes)             (the head: logits)
//
// with padding 1 throughout, so each strided convolution halves the
// resolution rounding up (28 → 14 → 7 → 4), and act LeakyReLU(LeakySlope).
type Spec struct {
	// Dataset names the data the classifier was trained on ("mnist",
	// "fashion-mnist"); it is descriptive only.
	Dataset  string `json:"dataset"`
	Channels int    `json:"channels"`
	Height   int    `json:"height"`
	Width    int    `json:"width"`
	// Widths are the output channels of the convolutions, the first at full
	// resolution, each later one halving it.
	Widths     []int   `json:"widths"`
	Features   int     `json:"features"` // width of the penultimate layer
	Classes    int     `json:"classes"`
	LeakySlope float64 `json:"leaky_slope"`
}

// DefaultSpec returns the architecture of the shipped classifiers for
// 28×28 grey-scale images of 10 classes: widths 32, 32, 64, 64 (28 → 28 →
// 14 → 7 → 4), 128 features, LeakyReLU(0.1); 197 482 parameters, a 0.79 MB
// checkpoint.
func DefaultSpec(dataset string) Spec {
	return Spec{Dataset: dataset, Channels: 1, Height: 28, Width: 28,
		Widths: []int{32, 32, 64, 64}, Features: 128, Classes: 10, LeakySlope: 0.1}
}

// Limits on a Spec, so that a corrupt checkpoint cannot ask for a huge
// network.
const (
	maxSide   = 1024
	maxWidth  = 4096
	maxLayers = 16
	maxSize   = 1 << 24 // parameters, and outputs of a layer per image
)

// Validate reports whether s describes a network Build can make.
func (s Spec) Validate() error {
	switch {
	case s.Channels <= 0 || s.Height <= 0 || s.Width <= 0 || s.Channels > maxWidth || s.Height > maxSide || s.Width > maxSide:
		return fmt.Errorf("classify: image shape %d×%d×%d must be positive and at most %d×%d×%d",
			s.Channels, s.Height, s.Width, maxWidth, maxSide, maxSide)
	case len(s.Widths) == 0 || len(s.Widths) > maxLayers:
		return fmt.Errorf("classify: need 1 to %d convolution widths, got %d", maxLayers, len(s.Widths))
	case s.Features <= 0 || s.Features > maxWidth:
		return fmt.Errorf("classify: feature width %d must be in [1, %d]", s.Features, maxWidth)
	case s.Classes < 2 || s.Classes > maxWidth:
		return fmt.Errorf("classify: class count %d must be in [2, %d]", s.Classes, maxWidth)
	case !(s.LeakySlope >= 0 && s.LeakySlope <= 1):
		return fmt.Errorf("classify: leaky slope %v must be in [0, 1]", s.LeakySlope)
	}
	params, c, h, w := 0, s.Channels, s.Height, s.Width
	for i, out := range s.Widths {
		if out <= 0 || out > maxWidth {
			return fmt.Errorf("classify: convolution widths must be in [1, %d], got %v", maxWidth, s.Widths)
		}
		if i > 0 {
			h, w = (h+1)/2, (w+1)/2
		}
		params += 9*c*out + out
		c = out
		if c*h*w > maxSize {
			return fmt.Errorf("classify: layer %d has %d×%d×%d outputs per image, more than %d", i, c, h, w, maxSize)
		}
	}
	if params += (c*h*w+1)*s.Features + (s.Features+1)*s.Classes; params > maxSize {
		return fmt.Errorf("classify: %d parameters, more than %d", params, maxSize)
	}
	return nil
}

// Dim returns the input width C·H·W.
func (s Spec) Dim() int { return s.Channels * s.Height * s.Width }

// build makes the feature network and the head, initialised from the
// stream in layer order (torch's defaults), or zero for a nil stream.
func (s Spec) build(st *nn.Stream) (features, head *nn.Network[float32], err error) {
	if err := s.Validate(); err != nil {
		return nil, nil, err
	}
	var layers []nn.Layer[float32]
	act := func(width int) {
		a := nn.NewActivation[float32](nn.LeakyReLU, width)
		a.Slope = float32(s.LeakySlope)
		layers = append(layers, a)
	}
	c, h, w := s.Channels, s.Height, s.Width
	for i, out := range s.Widths {
		stride := 2
		if i == 0 {
			stride = 1
		}
		conv := nn.NewConv2D[float32](nn.ConvShape{InC: c, H: h, W: w, OutC: out, KH: 3, KW: 3, Stride: stride, Pad: 1}, true, st)
		layers = append(layers, conv)
		c, h, w = out, conv.OutH(), conv.OutW()
		act(c * h * w)
	}
	layers = append(layers, nn.NewLinear[float32](c*h*w, s.Features, true, st))
	act(s.Features)
	if features, err = nn.NewSequential(layers...); err != nil {
		return nil, nil, err
	}
	if head, err = nn.NewSequential[float32](nn.NewLinear[float32](s.Features, s.Classes, true, st)); err != nil {
		return nil, nil, err
	}
	return features, head, nil
}

// Classifier is an image classifier: a feature network (images → the
// penultimate features) and a linear head (features → class logits). Its
// methods are safe for concurrent use.
type Classifier struct {
	Spec Spec
	// Info records how the classifier was trained; it is stored with it.
	Info Info

	features, head *nn.Network[float32]
	pool           sync.Pool // of *evalState
}

// Info describes how a classifier was trained and how well it did.
type Info struct {
	Train TrainConfig `json:"train"`
	// TrainSeconds is the wall-clock training time (informative only; it is
	// not stored, so that checkpoints are reproducible bit for bit).
	TrainSeconds float64 `json:"-"`
	// TestAccuracy is the accuracy on the data set's test split measured
	// after training, NaN if it was not measured.
	TestAccuracy float64 `json:"test_accuracy"`
}

// New returns an untrained classifier of the given architecture,
// initialised from seed (the stream "classify/init" of nn.NewRNG(seed)).
func New(spec Spec, seed uint64) (*Classifier, error) {
	return newClassifier(spec, nn.NewRNG(seed).Stream("classify/init"))
}

func newClassifier(spec Spec, st *nn.Stream) (*Classifier, error) {
	f, h, err := spec.build(st)
	if err != nil {
		return nil, err
	}
	spec.Widths = append([]int(nil), spec.Widths...)
	return &Classifier{Spec: spec, Info: Info{TestAccuracy: math.NaN()}, features: f, head: h}, nil
}

// NumParams returns the number of scalar parameters.
func (c *Classifier) NumParams() int { return c.features.NumParams() + c.head.NumParams() }

// String describes the layers.
func (c *Classifier) String() string { return c.features.String() + " | " + c.head.String() }

// evalBatch is the batch size of evaluation passes.
const evalBatch = 256

// evalState holds the workspaces of one evaluating goroutine.
type evalState struct {
	f, h *nn.Workspace[float32]
}

func (c *Classifier) getEval() *evalState {
	if e, ok := c.pool.Get().(*evalState); ok {
		return e
	}
	return &evalState{f: c.features.NewWorkspace(evalBatch, 0), h: c.head.NewWorkspace(evalBatch, 0)}
}

// ErrShape reports inputs whose length does not fit the classifier.
var ErrShape = errors.New("classify: input does not fit the classifier")

// rows returns the number of images in x, or an error.
func (c *Classifier) rows(x []float32) (int, error) {
	d := c.Spec.Dim()
	if len(x)%d != 0 {
		return 0, fmt.Errorf("%w: %d values are not a whole number of %d-pixel images", ErrShape, len(x), d)
	}
	return len(x) / d, nil
}

// Classify evaluates the n images x (n×Dim, scaled to [−1, 1]) and writes
// their class probabilities (softmax of the logits, n×Classes) to probs and
// their penultimate features (n×Features) to feats; either may be nil. It
// returns an error if x is not a whole number of images or probs or feats
// has the wrong length. It allocates nothing in steady state.
func (c *Classifier) Classify(x, probs, feats []float32) error {
	n, err := c.rows(x)
	if err != nil {
		return err
	}
	K, F := c.Spec.Classes, c.Spec.Features
	if probs != nil && len(probs) != n*K {
		return fmt.Errorf("%w: probs has length %d, want %d×%d", ErrShape, len(probs), n, K)
	}
	if feats != nil && len(feats) != n*F {
		return fmt.Errorf("%w: feats has length %d, want %d×%d", ErrShape, len(feats), n, F)
	}
	e := c.getEval()
	defer c.pool.Put(e)
	d := c.Spec.Dim()
	for i := 0; i < n; i += evalBatch {
		j := min(i+evalBatch, n)
		f := e.f.Forward(x[i*d:j*d], nn.Eval)
		if feats != nil {
			copy(feats[i*F:j*F], f)
		}
		if probs != nil {
			nn.Softmax(e.h.Forward(f, nn.Eval), K, probs[i*K:j*K])
		}
	}
	return nil
}

// Accuracy returns the share of the images x (n×Dim) whose most probable
// class is their label, or an error if the lengths do not match.
func (c *Classifier) Accuracy(x []float32, labels []uint8) (float64, error) {
	n, err := c.rows(x)
	if err != nil {
		return 0, err
	}
	if len(labels) != n {
		return 0, fmt.Errorf("%w: %d labels for %d images", ErrShape, len(labels), n)
	}
	if n == 0 {
		return math.NaN(), nil
	}
	probs := make([]float32, n*c.Spec.Classes)
	if err := c.Classify(x, probs, nil); err != nil {
		return 0, err
	}
	right := 0
	for i, l := range labels {
		if argmax(probs[i*c.Spec.Classes:(i+1)*c.Spec.Classes]) == int(l) {
			right++
		}
	}
	return float64(right) / float64(n), nil
}

// argmax returns the index of the largest value (the first on ties).
func argmax(p []float32) int {
	k := 0
	for j, v := range p {
		if v > p[k] {
			k = j
		}
	}
	return k
}

// Checkpoint layout: the feature network under the prefix "features", the
// head under "head", and the configuration blob
// {"spec": Spec, "info": Info} (JSON).
const (
	featuresPrefix = "features"
	headPrefix     = "head"
)

type ckptConfig struct {
	Spec Spec `json:"spec"`
	Info Info `json:"info"`
}

// Checkpoint returns c as an nn checkpoint (float32 tensors).
func (c *Classifier) Checkpoint() (*nn.Checkpoint, error) {
	info := c.Info
	if math.IsNaN(info.TestAccuracy) {
		info.TestAccuracy = -1 // JSON has no NaN; -1 reads back as NaN
	}
	cfg, err := json.Marshal(ckptConfig{Spec: c.Spec, Info: info})
	if err != nil {
		return nil, err
	}
	ck := &nn.Checkpoint{}
	ck.SetConfig(cfg)
	nn.AddNetwork(ck, featuresPrefix, c.features)
	nn.AddNetwork(ck, headPrefix, c.head)
	return ck, nil
}

// Save writes c to path as an nn checkpoint (atomically, see nn.Save).
func (c *Classifier) Save(path string) error {
	ck, err := c.Checkpoint()
	if err != nil {
		return err
	}
	return nn.Save(path, ck)
}

// Load reads a classifier saved by Save.
func Load(path string) (*Classifier, error) {
	ck, err := nn.Load(path)
	if err != nil {
		return nil, err
	}
	return FromCheckpoint(ck)
}

// Decode reads a classifier from the bytes of a checkpoint file.
func Decode(b []byte) (*Classifier, error) {
	ck, err := nn.Decode(b)
	if err != nil {
		return nil, err
	}
	return FromCheckpoint(ck)
}

// FromCheckpoint rebuilds a classifier from a checkpoint made by
// Checkpoint: the architecture from its configuration blob, the weights
// from its tensors. A missing or bad configuration, or tensors that do not
// match the architecture, are errors.
func FromCheckpoint(ck *nn.Checkpoint) (*Classifier, error) {
	var cfg ckptConfig
	if err := json.Unmarshal(ck.Config(), &cfg); err != nil {
		return nil, fmt.Errorf("classify: checkpoint configuration: %v", err)
	}
	c, err := newClassifier(cfg.Spec, nil)
	if err != nil {
		return nil, err
	}
	if err := nn.LoadNetwork(ck, featuresPrefix, c.features); err != nil {
		return nil, err
	}
	if err := nn.LoadNetwork(ck, headPrefix, c.head); err != nil {
		return nil, err
	}
	for _, n := range []*nn.Network[float32]{c.features, c.head} {
		for _, p := range n.Params() {
			for _, v := range p.Value {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					return nil, fmt.Errorf("classify: checkpoint parameter %s is not finite", p.Name)
				}
			}
		}
	}
	c.Info = cfg.Info
	if c.Info.TestAccuracy < 0 {
		c.Info.TestAccuracy = math.NaN()
	}
	return c, nil
}
