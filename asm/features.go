package asm

import "github.com/klauspost/cpuid/v2"

// tierRequires lists, for each tier, every CPU feature its kernels may use.
// A tier is chosen only if the CPU has all of them; features_test.go checks
// that the assembly of each tier uses nothing beyond this list.
var tierRequires = [numTiers][]cpuid.FeatureID{
	Generic: nil,
	AVX2:    {cpuid.AVX, cpuid.AVX2, cpuid.FMA3},
	AVX512:  {cpuid.AVX, cpuid.AVX2, cpuid.FMA3, cpuid.AVX512F, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.AVX512VL},
}

// featureSet is the subset of CPU features the dispatch looks at.
type featureSet map[cpuid.FeatureID]bool

// bestTier is the strongest tier whose required features are all present
// (and which this build has kernels for).
func bestTier(f featureSet) SIMDTier {
	t := Generic
	for cand := Generic + 1; cand < numTiers && cand <= maxBuiltTier; cand++ {
		if len(missingFeatures(f, cand)) == 0 {
			t = cand
		}
	}
	return t
}

// missingFeatures names what tier t needs that f (or this build) lacks.
func missingFeatures(f featureSet, t SIMDTier) []string {
	var miss []string
	for _, id := range tierRequires[t] {
		if !f[id] {
			miss = append(miss, id.String())
		}
	}
	return miss
}

// cpuFeatures reads the features every tier cares about from cpuid.
func cpuFeatures() featureSet {
	f := featureSet{}
	for _, req := range tierRequires {
		for _, id := range req {
			f[id] = cpuid.CPU.Supports(id)
		}
	}
	return f
}
