package classify

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/nn"
)

// TrainConfig holds the training hyperparameters: Adam on the mean softmax
// cross-entropy of minibatches drawn by a data.Sampler (shuffled epochs, a
// fresh permutation each epoch, from the stream "classify/data"), for
// Epochs·⌊N/Batch⌋ steps, with the learning rate annealed from LR to zero
// along a cosine,
//
//	lr_t = LR·½(1 + cos(π·t/T)),  t = 0 … T−1.
type TrainConfig struct {
	Seed   uint64  `json:"seed"`
	Epochs int     `json:"epochs"`
	Batch  int     `json:"batch"`
	LR     float64 `json:"lr"`
}

// DefaultTrain returns the configuration of the shipped classifiers.
func DefaultTrain() TrainConfig { return TrainConfig{Seed: 1, Epochs: 4, Batch: 128, LR: 2e-3} }

func (cfg TrainConfig) validate() error {
	if cfg.Epochs < 1 || cfg.Epochs > 1000 || cfg.Batch < 1 || cfg.Batch > 1<<16 || !(cfg.LR > 0 && cfg.LR < 1) {
		return fmt.Errorf("classify: train config %+v: need 1 ≤ epochs ≤ 1000, 1 ≤ batch ≤ 65536 and 0 < lr < 1", cfg)
	}
	return nil
}

// Train fits a classifier of the given architecture to the labelled images
// train (pixels scaled to [−1, 1] as data.Symmetric does, without
// dequantisation) and returns it. Everything random derives from cfg.Seed,
// and the passes are deterministic for any linalg.Workers setting, so the
// same inputs give the same weights bit for bit on the same machine (the
// SIMD tier may change the last bits elsewhere). Progress lines go to log
// if it is not nil.
func Train(spec Spec, cfg TrainConfig, train *data.Images, log io.Writer) (*Classifier, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if train == nil || train.N == 0 || len(train.Labels) != train.N {
		return nil, fmt.Errorf("classify: Train needs labelled images")
	}
	if spec.Channels != 1 || train.Height != spec.Height || train.Width != spec.Width {
		return nil, fmt.Errorf("classify: images are %d×%d, the classifier takes %d×%d×%d",
			train.Height, train.Width, spec.Channels, spec.Height, spec.Width)
	}
	for _, l := range train.Labels {
		if int(l) >= spec.Classes {
			return nil, fmt.Errorf("classify: label %d outside the %d classes", l, spec.Classes)
		}
	}
	start := time.Now()
	rng := nn.NewRNG(cfg.Seed)
	c, err := newClassifier(spec, rng.Stream("classify/init"))
	if err != nil {
		return nil, err
	}
	src := train.Source(data.Symmetric, false)
	sampler, err := data.NewSampler(src, rng.Stream("classify/data").Rand)
	if err != nil {
		return nil, err
	}
	params := append(append([]*nn.Param[float32](nil), c.features.Params()...), c.head.Params()...)
	opt := nn.NewAdam(params, nn.AdamConfig{LR: cfg.LR, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})

	B, D, K := min(cfg.Batch, train.N), spec.Dim(), spec.Classes
	wf, wh := c.features.NewWorkspace(B, 0), c.head.NewWorkspace(B, 0)
	x := make([]float32, B*D)
	idx, labels := make([]int, B), make([]int, B)
	grad := make([]float32, B*K)
	steps := train.N / B // per epoch
	total := cfg.Epochs * steps
	t := 0
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		var sum float64
		for s := 0; s < steps; s++ {
			sampler.NextIndices(idx)
			for b, i := range idx {
				src.Row(i, x[b*D:(b+1)*D], nil)
				labels[b] = int(train.Labels[i])
			}
			c.features.ZeroGrad()
			c.head.ZeroGrad()
			logits := wh.Forward(wf.Forward(x, nn.Train), nn.Train)
			loss := nn.SoftmaxCrossEntropy(logits, K, labels, grad)
			gf := wh.Backward(grad, nn.GradParams|nn.GradInput)
			wf.Backward(gf, nn.GradParams)
			opt.Config.LR = cfg.LR * 0.5 * (1 + math.Cos(math.Pi*float64(t)/float64(total)))
			opt.Step()
			t++
			if math.IsNaN(loss) || math.IsInf(loss, 0) || !opt.Finite() {
				return nil, fmt.Errorf("classify: training diverged at epoch %d, step %d (loss %v)", epoch, s, loss)
			}
			sum += loss
		}
		if log != nil {
			fmt.Fprintf(log, "epoch %d/%d: mean loss %.4f (%.0fs)\n", epoch, cfg.Epochs, sum/float64(steps), time.Since(start).Seconds())
		}
	}
	c.Info = Info{Train: cfg, TrainSeconds: time.Since(start).Seconds(), TestAccuracy: math.NaN()}
	return c, nil
}
