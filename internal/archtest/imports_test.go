package archtest

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/ebmcpu/ebmcpu"

// goList runs `go list` with args from the module root and returns its
// lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	require.NoError(t, err, "go list %v", args)
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

func TestNoPackageImportsAnAncestor(t *testing.T) {
	for _, line := range goList(t, "-f", "{{.ImportPath}} {{join .Imports \" \"}} {{join .TestImports \" \"}}", "./...") {
		fields := strings.Fields(line)
		pkg := fields[0]
		for _, imp := range fields[1:] {
			if imp != pkg && strings.HasPrefix(pkg, imp+"/") {
				t.Errorf("%s imports its ancestor %s", pkg, imp)
			}
		}
	}
}

// drawing lists import-path fragments of plotting, image and font code.
var drawing = []string{"gonum.org/v1/plot", "golang.org/x/image", "go-fonts", "go-latex", "go-pdf", "svgo", "freetype",
	"sbinet/gg", "image"}

// TestModelLinksNoDrawing: the model package and the inference server's
// binary link no plotting, image or font code.
func TestModelLinksNoDrawing(t *testing.T) {
	for _, pkg := range []string{module + "/ebm", module + "/cmd/ebmcpu-serve"} {
		deps := goList(t, "-deps", pkg)
		require.Contains(t, deps, pkg)
		for _, d := range deps {
			for _, frag := range drawing {
				if d == frag || strings.HasPrefix(d, frag+"/") || (frag != "image" && strings.Contains(d, frag)) {
					t.Errorf("%s links %s", pkg, d)
				}
			}
		}
	}
}
