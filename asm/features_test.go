package asm

import (
	"bufio"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/klauspost/cpuid/v2"
)

// These tests make it impossible to reach a kernel on a CPU that lacks one
// of its instructions: tier selection needs every listed feature, each
// tier's assembly uses only listed features, and each tier's table holds
// only kernels of that tier or weaker.

func allFeatures() featureSet {
	f := featureSet{}
	for _, req := range tierRequires {
		for _, id := range req {
			f[id] = true
		}
	}
	return f
}

func TestBestTierNeedsEveryRequiredFeature(t *testing.T) {
	if got := bestTier(allFeatures()); got != maxBuiltTier {
		t.Fatalf("all features present: best tier %s, want %s", got, maxBuiltTier)
	}
	for tier := Generic + 1; tier <= maxBuiltTier; tier++ {
		for _, id := range tierRequires[tier] {
			f := allFeatures()
			f[id] = false
			if got := bestTier(f); got >= tier {
				t.Errorf("without %s the dispatch still picks %s", id, got)
			}
		}
	}
	if got := bestTier(featureSet{}); got != Generic {
		t.Errorf("no features: best tier %s, want generic", got)
	}
}

func TestChooseTierRejectsUnsupportedRequests(t *testing.T) {
	for _, tc := range []struct {
		best, want SIMDTier
		env        string
		wantErr    bool
	}{
		{AVX512, AVX512, "", false},
		{AVX512, AVX2, "avx2", false},
		{AVX512, Generic, "GENERIC", false},
		{AVX2, AVX2, "avx512", true},
		{Generic, Generic, "avx2", true},
		{AVX512, AVX512, "sse9", true},
	} {
		got, err := chooseTier(tc.best, tc.env)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("chooseTier(%s, %q) = %s, %v; want %s, error %v", tc.best, tc.env, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestSetTierRefusesUnavailableTier(t *testing.T) {
	if BestTier() == numTiers-1 {
		t.Skip("every tier is available here")
	}
	if err := SetTier(BestTier() + 1); err == nil {
		t.Fatal("SetTier accepted a tier the CPU lacks")
	}
}

// kernelTier reads a kernel's tier from its function name suffix.
func kernelTier(t *testing.T, fn reflect.Value) SIMDTier {
	name := runtime.FuncForPC(fn.Pointer()).Name()
	switch {
	case strings.Contains(name, "AVX512"):
		return AVX512
	case strings.Contains(name, "AVX2"):
		return AVX2
	case strings.Contains(name, "Generic"):
		return Generic
	}
	t.Fatalf("kernel %s: name must end in AVX512, AVX2 or Generic", name)
	return 0
}

func TestTablesHoldNoStrongerKernels(t *testing.T) {
	for tier, tab := range tables {
		if tab == nil {
			continue
		}
		v := reflect.ValueOf(tab).Elem()
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if f.Kind() == reflect.Struct { // GemmKernel, peakLoop: their function
				f = funcField(f)
			}
			if f.IsNil() {
				t.Errorf("tier %s: kernel %s is missing", SIMDTier(tier), v.Type().Field(i).Name)
				continue
			}
			if kt := kernelTier(t, f); kt > SIMDTier(tier) {
				t.Errorf("tier %s uses the %s kernel for %s", SIMDTier(tier), kt, v.Type().Field(i).Name)
			}
		}
	}
}

// funcField is the (first) function-valued field of struct value v.
func funcField(v reflect.Value) reflect.Value {
	for i := 0; i < v.NumField(); i++ {
		if v.Field(i).Kind() == reflect.Func {
			return v.Field(i)
		}
	}
	panic(v.Type().String() + " has no function field")
}

var (
	zmm     = regexp.MustCompile(`\bZ\d+\b`)
	mask    = regexp.MustCompile(`\bK[1-7]\b`)
	highVec = regexp.MustCompile(`\b[XY](1[6-9]|2\d|3[01])\b`)
	ymm     = regexp.MustCompile(`\bY\d+\b`)
)

// Instructions whose feature the generic rules below would get wrong.
var featureOf = map[string]cpuid.FeatureID{
	"VANDPS": cpuid.AVX512DQ, "VANDNPS": cpuid.AVX512DQ, "VORPS": cpuid.AVX512DQ, "VXORPS": cpuid.AVX512DQ,
	"VANDPD": cpuid.AVX512DQ, "VANDNPD": cpuid.AVX512DQ, "VORPD": cpuid.AVX512DQ, "VXORPD": cpuid.AVX512DQ,
	"VCVTPS2QQ": cpuid.AVX512DQ, "VCVTQQ2PS": cpuid.AVX512DQ, "VCVTPD2QQ": cpuid.AVX512DQ, "VCVTQQ2PD": cpuid.AVX512DQ,
	"VFPCLASSPS": cpuid.AVX512DQ, "VFPCLASSPD": cpuid.AVX512DQ, "VPMULLQ": cpuid.AVX512DQ, "VRANGEPS": cpuid.AVX512DQ,
	"VREDUCEPS": cpuid.AVX512DQ, "VINSERTF32X8": cpuid.AVX512DQ, "VEXTRACTF32X8": cpuid.AVX512DQ,
	"VBROADCASTF32X8": cpuid.AVX512DQ, "VPMOVD2M": cpuid.AVX512DQ, "VPMOVM2D": cpuid.AVX512DQ, "KMOVB": cpuid.AVX512DQ,
	"KMOVD": cpuid.AVX512BW, "KMOVQ": cpuid.AVX512BW, "VPMOVB2M": cpuid.AVX512BW, "VPMOVM2B": cpuid.AVX512BW,
}

// evexOnly instructions have no VEX form: they need AVX-512 even on X/Y registers.
var evexOnly = map[string]bool{
	"VPXORD": true, "VPXORQ": true, "VPANDD": true, "VPANDQ": true, "VPORD": true, "VPORQ": true,
	"VPANDND": true, "VPANDNQ": true, "VPTERNLOGD": true, "VPTERNLOGQ": true, "VSCALEFPS": true, "VSCALEFPD": true,
	"VRNDSCALEPS": true, "VRNDSCALEPD": true, "VGETEXPPS": true, "VGETMANTPS": true, "VPERMT2PS": true, "VPERMI2PS": true,
}

// instructionFeatures lists the CPU features one assembly line needs.
func instructionFeatures(line string) []cpuid.FeatureID {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return nil
	}
	op := strings.SplitN(fields[0], ".", 2)[0] // drop .Z, .BCST, .RN_SAE
	var need []cpuid.FeatureID
	if !strings.HasPrefix(op, "V") && !strings.HasPrefix(op, "K") {
		return nil
	}
	need = append(need, cpuid.AVX)
	if strings.HasPrefix(op, "VFMADD") || strings.HasPrefix(op, "VFMSUB") || strings.HasPrefix(op, "VFNMADD") || strings.HasPrefix(op, "VFNMSUB") {
		need = append(need, cpuid.FMA3)
	}
	evex := evexOnly[op] || zmm.MatchString(line) || mask.MatchString(line) || highVec.MatchString(line) || strings.Contains(fields[0], ".") || strings.HasPrefix(op, "K")
	if evex {
		need = append(need, cpuid.AVX512F)
		if highVec.MatchString(line) || (ymm.MatchString(line) && !zmm.MatchString(line)) {
			need = append(need, cpuid.AVX512VL)
		}
	}
	if id, ok := featureOf[op]; ok && (evex || strings.HasPrefix(op, "K")) {
		need = append(need, id)
	}
	if strings.HasPrefix(op, "VP") && ymm.MatchString(line) || op == "VPERMPS" || op == "VPERMPD" ||
		strings.HasPrefix(op, "VGATHER") || (strings.HasPrefix(op, "VBROADCASTS") && !strings.Contains(line, "(")) {
		need = append(need, cpuid.AVX2)
	}
	return need
}

// fileTier reads the tier of an assembly file from its name.
func fileTier(name string) (SIMDTier, bool) {
	for t := Generic + 1; t < numTiers; t++ {
		if strings.HasSuffix(name, "_"+t.String()+"_amd64.s") {
			return t, true
		}
	}
	return Generic, false
}

func TestAssemblyUsesOnlyTierFeatures(t *testing.T) {
	files, err := filepath.Glob("*_amd64.s")
	if err != nil || len(files) == 0 {
		t.Fatalf("no assembly files found (%v)", err)
	}
	for _, name := range files {
		tier, ok := fileTier(name)
		if !ok {
			t.Errorf("%s: assembly files must be named *_<tier>_amd64.s", name)
			continue
		}
		allowed := map[cpuid.FeatureID]bool{}
		for _, id := range tierRequires[tier] {
			allowed[id] = true
		}
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for ln := 1; sc.Scan(); ln++ {
			line := strings.TrimSpace(strings.SplitN(sc.Text(), "//", 2)[0])
			for _, id := range instructionFeatures(line) {
				if !allowed[id] {
					t.Errorf("%s:%d: %q needs %s, which tier %s does not require", name, ln, line, id, tier)
				}
			}
		}
		f.Close()
	}
}

// amd64Baseline are the extensions of avo's "// Requires:" lines that every
// amd64 CPU has (the GOAMD64=v1 level; avo calls the prefetches "MMX+").
var amd64Baseline = map[string]bool{"CMOV": true, "MMX": true, "MMX+": true, "SSE": true, "SSE2": true}

// TestAssemblyRequirementsAreTierFeatures checks the assembly with a second
// opinion: asm/_gen writes above every function the extensions its
// instructions need, after avo's instruction database (and the extensions
// Asm.Intel is given for instructions it writes as bytes, which the
// classifier above cannot read). Each must be one the tier requires.
func TestAssemblyRequirementsAreTierFeatures(t *testing.T) {
	files, err := filepath.Glob("*_amd64.s")
	if err != nil || len(files) == 0 {
		t.Fatalf("no assembly files found (%v)", err)
	}
	for _, name := range files {
		tier, ok := fileTier(name)
		if !ok {
			t.Errorf("%s: assembly files must be named *_<tier>_amd64.s", name)
			continue
		}
		allowed := map[cpuid.FeatureID]bool{}
		for _, id := range tierRequires[tier] {
			allowed[id] = true
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(src), "\n")
		for i, line := range lines {
			if !strings.HasPrefix(line, "TEXT ") {
				continue
			}
			req, ok := strings.CutPrefix(lines[max(i-1, 0)], "// Requires: ")
			if !ok {
				t.Errorf("%s:%d: no // Requires: line above %q (asm/_gen writes one)", name, i+1, line)
				continue
			}
			for _, ext := range strings.Split(req, ", ") {
				id := cpuid.ParseFeature(ext)
				switch {
				case amd64Baseline[ext]:
				case id == cpuid.UNKNOWN:
					t.Errorf("%s:%d: unknown extension %q: add it to amd64Baseline or name it as cpuid does", name, i+1, ext)
				case !allowed[id]:
					t.Errorf("%s:%d: %q needs %s, which tier %s does not require", name, i+1, line, ext, tier)
				}
			}
		}
	}
}

func TestFeatureClassifier(t *testing.T) {
	for line, want := range map[string]cpuid.FeatureID{
		"VFMADD231PS Y1, Y2, Y3": cpuid.FMA3,
		"VMOVUPS.Z (SI), K1, Z1": cpuid.AVX512F,
		"VPADDD Y1, Y2, Y3":      cpuid.AVX2,
		"VXORPS Z1, Z1, Z1":      cpuid.AVX512DQ,
		"VADDPS Y17, Y1, Y1":     cpuid.AVX512VL,
		"VBROADCASTSS X0, Y1":    cpuid.AVX2,
		"KMOVD AX, K1":           cpuid.AVX512BW,
		"VMOVUPS Y1, K1, (DI)":   cpuid.AVX512VL,
	} {
		found := false
		for _, id := range instructionFeatures(line) {
			found = found || id == want
		}
		if !found {
			t.Errorf("%q: classifier misses %s (got %v)", line, want, instructionFeatures(line))
		}
	}
}
