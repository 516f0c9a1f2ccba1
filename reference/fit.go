package reference

import "fmt"

// Fitted holds both reference estimators fitted to one data set.
type Fitted struct {
	KDE *KDE
	GMM *GMM
}

// Fit fits the KDE and the GMM (default options, seeded by seed) to the
// training points train with the validation points val choosing the
// bandwidth and K. Both are n×d, row-major.
func Fit(train, val []float64, d int, seed uint64) (*Fitted, error) {
	kde, err := FitKDE(train, val, d)
	if err != nil {
		return nil, err
	}
	gmm, err := FitGMM(train, val, d, GMMOptions{Seed: seed})
	if err != nil {
		return nil, err
	}
	return &Fitted{KDE: kde, GMM: gmm}, nil
}

// String summarises the chosen hyper-parameters and validation
// log-likelihoods, e.g. "KDE h = 0.0412 (val LL -1.234), GMM K = 25 (val LL -1.301)".
func (f *Fitted) String() string {
	return fmt.Sprintf("KDE h = %.4g (val LL %.4f), GMM K = %d (val LL %.4f)",
		f.KDE.Bandwidth(), f.KDE.ValidationLogLik(), f.GMM.K(), f.GMM.ValidationLogLik())
}
