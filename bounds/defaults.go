package bounds

// The defaults of the bounds' settings: a zero field of a config selects
// the value its WithDefaults gives, the one place each default is written.
// Command lines and config files show these values (package ebm records
// the resolved configs of a run).

// WithDefaults returns c with its zero fields set to their defaults: the
// s_min method, 2 LOBPCG iterations (the released code's ssv_iter), and for
// topk 8 oversampling columns and 2 power iterations.
func (c SVConfig) WithDefaults() SVConfig {
	if c.Method == "" {
		c.Method = "smin"
	}
	setDefault(&c.LOBPCGIters, 2)
	setDefault(&c.Oversample, 8)
	setDefault(&c.PowerIters, 2)
	return c
}

// WithDefaults returns c with its zero fields set to their defaults: the
// reference code's training weight 1e-3, a constant schedule and 2 LOBPCG
// iterations. LogDet stays "" (it depends on the latent width: see
// ResolveLogDet).
func (c GPConfig) WithDefaults() GPConfig {
	setDefault(&c.Weight, 1e-3)
	if c.Schedule == "" {
		c.Schedule = "constant"
	}
	setDefault(&c.LOBPCGIters, 2)
	return c
}

// WithDefaults returns c with its zero fields set to their defaults: 5
// trapezoid nodes, 10 steps of h = 0.05 per node, MALA adaptation to
// DefaultTargetAcceptance over the first half of each node's steps, the
// training weight 1e-3, a constant schedule and 2 LOBPCG iterations.
func (c DiffusionConfig) WithDefaults() DiffusionConfig {
	setDefault(&c.Nodes, 5)
	if c.Rule == "" {
		c.Rule = "trapezoid"
	}
	setDefault(&c.StepsPerNode, 10)
	setDefault(&c.StepSize, 0.05)
	setDefault(&c.TargetAcceptance, DefaultTargetAcceptance)
	setDefault(&c.BurnIn, 0.5)
	setDefault(&c.Weight, 1e-3)
	if c.Schedule == "" {
		c.Schedule = "constant"
	}
	setDefault(&c.LOBPCGIters, 2)
	return c
}

// WithDefaults returns c with its zero fields set to their defaults: the
// Barber–Agakov estimator, σ = 0.1, auxiliary networks of two hidden layers
// of 100 and a separable critic of 32 features. Activation stays "" (a
// LeakyReLU of slope 0.2, MEG's critic).
func (c MIConfig) WithDefaults() MIConfig {
	if c.Estimator == "" {
		c.Estimator = "ba"
	}
	setDefault(&c.Sigma, 0.1)
	if c.Hidden == nil {
		c.Hidden = []int{100, 100}
	}
	setDefault(&c.Features, 32)
	return c
}

// ResolveLogDet returns how the log-det of a latent width d is evaluated:
// s ("exact" or "smin"), or for "" exact up to ExactLogDetMaxDim, smin
// above.
func ResolveLogDet(s string, d int) (string, error) { return resolveLogDet(s, d) }

func setDefault[T int | float64](v *T, def T) {
	if *v == 0 {
		*v = def
	}
}
