package reference

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// TestFitDeterministic fits both estimators under GOMAXPROCS 1, 2 and 3 and
// requires the same bits: chosen parameters, validation scores, densities
// and samples.
func TestFitDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	train := ringSample(rng, 2000)
	val := ringSample(rng, 1000)
	test := ringSample(rng, 2000)
	type outcome struct {
		h, kll, gll float64
		k           int
		kd, gd, ks  []float64
		scores      []KScore
	}
	run := func(procs int) outcome {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		kde, err := FitKDE(train, val, 2)
		if err != nil {
			t.Fatal(err)
		}
		gmm, err := FitGMM(train, val, 2, GMMOptions{KMax: 8, Seed: 4})
		if err != nil {
			t.Fatal(err)
		}
		kd, _ := kde.LogDensity(test)
		gd, _ := gmm.LogDensity(test)
		ks, _ := kde.Sample(100, rand.New(rand.NewPCG(1, 1)))
		return outcome{kde.Bandwidth(), kde.ValidationLogLik(), gmm.ValidationLogLik(), gmm.K(), kd, gd, ks, gmm.Scores()}
	}
	want := run(1)
	t.Logf("h = %.5f, K = %d", want.h, want.k)
	for _, procs := range []int{2, 3} {
		got := run(procs)
		same := got.h == want.h && got.kll == want.kll && got.gll == want.gll && got.k == want.k
		for i := range want.kd {
			same = same && got.kd[i] == want.kd[i] && got.gd[i] == want.gd[i]
		}
		for i := range want.ks {
			same = same && got.ks[i] == want.ks[i]
		}
		for i := range want.scores {
			same = same && got.scores[i] == want.scores[i]
		}
		if !same {
			t.Errorf("GOMAXPROCS %d changed the results", procs)
		}
	}
}

// TestFit runs the convenience entry point on a small set.
func TestFit(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	train, _ := threeBlobs(rng, 1000)
	val, _ := threeBlobs(rng, 1000)
	f, err := Fit(train, val, 2, 5)
	if err != nil {
		t.Fatal(err)
	}
	s := f.String()
	t.Log(s)
	if !strings.HasPrefix(s, "KDE h = ") || !strings.Contains(s, "GMM K = ") {
		t.Errorf("summary %q", s)
	}
	if f.GMM.K() != 3 || len(f.GMM.Scores()) != 30 {
		t.Errorf("K = %d of %d tried, want 3 of 30", f.GMM.K(), len(f.GMM.Scores()))
	}
	if !(f.GMM.ValidationLogLik() > f.KDE.ValidationLogLik()) {
		t.Errorf("GMM val LL %v ≤ KDE %v on Gaussian blobs", f.GMM.ValidationLogLik(), f.KDE.ValidationLogLik())
	}
}

// TestBadInput checks that bad arguments give errors naming the problem.
func TestBadInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	good, _ := threeBlobs(rng, 200)
	kde, err := NewKDE(good, 2, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	gmm, err := FitGMMK(good, 2, 2, GMMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	nan := append([]float64(nil), good...)
	nan[7] = math.NaN()
	inf := append([]float64(nil), good...)
	inf[10] = math.Inf(-1)
	constant := append([]float64(nil), good...)
	for i := range 200 {
		constant[2*i+1] = 3
	}
	for _, c := range []struct {
		name, want string
		err        error
	}{
		{"empty train", "training data is empty", second(FitKDE(nil, good, 2))},
		{"empty val", "validation data is empty", second(FitGMM(good, []float64{}, 2, GMMOptions{}))},
		{"ragged", "not a multiple of the dimension 2", second(FitKDE(good[:9], good, 2))},
		{"val ragged", "validation data has 3 values", second(FitGMM(good, good[:3], 2, GMMOptions{}))},
		{"zero dimension", "dimension 0", second(Fit(good, good, 0, 1))},
		{"NaN", "training data point 3 coordinate 1 is NaN", second(FitKDE(nan, good, 2))},
		{"Inf", "validation data point 5 coordinate 0 is -Inf", second(FitGMM(good, inf, 2, GMMOptions{}))},
		{"constant coordinate", "coordinate 1 of the training data has standard deviation 0", second(Fit(constant, good, 2, 1))},
		{"bandwidth", "bandwidth 0", second(NewKDE(good, 2, 0))},
		{"tiny bandwidth", "bandwidth 1e-200", second(NewKDE(good, 2, 1e-200))},
		{"K too large", "200 training points are too few for K = 100", second(FitGMMK(good, 2, 100, GMMOptions{}))},
		{"K zero", "K 0 out of range", second(FitGMMK(good, 2, 0, GMMOptions{}))},
		{"too few for a Gaussian", "2 training points are too few for a Gaussian in dimension 2", second(FitGMM(good[:4], good, 2, GMMOptions{}))},
		{"KMax", "KMax -1 out of range", second(FitGMM(good, good, 2, GMMOptions{KMax: -1}))},
		{"KMax huge", "KMax 1000000 out of range", second(FitGMM(good, good, 2, GMMOptions{KMax: 1e6}))},
		{"Restarts", "Restarts -2 out of range", second(FitGMM(good, good, 2, GMMOptions{Restarts: -2}))},
		{"Tol", "Tol NaN", second(FitGMMK(good, 2, 1, GMMOptions{Tol: math.NaN()}))},
		{"Ridge", "Ridge 2 out of range", second(FitGMMK(good, 2, 1, GMMOptions{Ridge: 2}))},
		{"KDE query D mismatch", "query points has 3 values", second(kde.LogDensity(good[:3]))},
		{"GMM query NaN", "query points point 3 coordinate 1 is NaN", second(gmm.LogDensity(nan))},
		{"negative sample", "sample size -1 out of range", second(kde.Sample(-1, rng))},
		{"huge sample", "sample size 2305843009213693952 out of range", second(gmm.Sample(1<<61, rng))},
		{"nil rng", "needs a random source", second(gmm.Sample(3, nil))},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
	// FitGMM lowers KMax to n/(D+1) instead of failing.
	g, err := FitGMM(good[:60], good, 2, GMMOptions{})
	if err != nil || len(g.Scores()) != 10 {
		t.Errorf("30 points: err %v, %d values of K tried, want 10", err, len(g.Scores()))
	}
}

func second[T any](_ T, err error) error { return err }
