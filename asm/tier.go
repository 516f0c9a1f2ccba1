package asm

import (
	"fmt"
	"os"
	"strings"
)

// A SIMDTier is a set of kernels that needs a given set of CPU features.
type SIMDTier int

// The tiers, weakest first. A stronger tier may reuse a weaker tier's kernel,
// never the reverse.
const (
	Generic SIMDTier = iota
	AVX2
	AVX512
	numTiers
)

var tierNames = [numTiers]string{"generic", "avx2", "avx512"}

func (t SIMDTier) String() string {
	if t < 0 || t >= numTiers {
		return fmt.Sprintf("SIMDTier(%d)", int(t))
	}
	return tierNames[t]
}

// ParseTier returns the tier with the given name (as EBMCPU_SIMD spells it).
func ParseTier(name string) (SIMDTier, error) {
	for t, n := range tierNames {
		if strings.EqualFold(strings.TrimSpace(name), n) {
			return SIMDTier(t), nil
		}
	}
	return Generic, fmt.Errorf("unknown SIMD tier %q: want one of %s", name, strings.Join(tierNames[:], ", "))
}

// EnvVar is the environment variable that forces a tier.
const EnvVar = "EBMCPU_SIMD"

var (
	active   SIMDTier
	best     SIMDTier
	envError error
)

func init() {
	buildTables()
	best = bestTier(cpuFeatures())
	active, envError = chooseTier(best, os.Getenv(EnvVar))
	useTier(active)
}

// chooseTier applies the EBMCPU_SIMD override to the best tier the CPU
// supports. A bad or unsupported request keeps the best tier and says why.
func chooseTier(best SIMDTier, env string) (SIMDTier, error) {
	if env == "" {
		return best, nil
	}
	want, err := ParseTier(env)
	if err != nil {
		return best, fmt.Errorf("%s: %w", EnvVar, err)
	}
	if want > best && want > maxBuiltTier {
		return best, fmt.Errorf("%s=%s: this build has no assembly kernels (built with -tags noasm, or not on amd64); only generic is available", EnvVar, env)
	}
	if want > best {
		return best, fmt.Errorf("%s=%s: this CPU supports at most %s (missing %s)",
			EnvVar, env, best, strings.Join(missingFeatures(cpuFeatures(), want), ", "))
	}
	return want, nil
}

// Tier reports the active tier.
func Tier() SIMDTier { return active }

// BestTier reports the strongest tier this CPU (and build) supports.
func BestTier() SIMDTier { return best }

// EnvError reports a problem with EBMCPU_SIMD found at init, or nil.
// Commands should check it before doing work.
func EnvError() error { return envError }

// SetTier switches every kernel to tier t, for tests and benchmarks that
// compare tiers on one machine. It must not race with kernel calls.
func SetTier(t SIMDTier) error {
	if t < 0 || t > best {
		return fmt.Errorf("SIMD tier %s is not available on this CPU (best: %s)", t, best)
	}
	active = t
	useTier(t)
	return nil
}

// AvailableTiers lists the tiers this machine can run, weakest first.
func AvailableTiers() []SIMDTier {
	ts := make([]SIMDTier, 0, numTiers)
	for t := Generic; t <= best; t++ {
		ts = append(ts, t)
	}
	return ts
}
