// Package deploy_test checks the deployment files as far as a machine
// without Docker, Kubernetes or Slurm allows: the manifests parsed and their
// fields checked, the shard each array task resolves, the Slurm script run
// with a stand-in ebmcpu and scontrol, and the Dockerfile's build command run
// for real to check that it gives a static binary.
package deploy_test

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ebmcpu/ebmcpu/internal/shard"
)

// The project's exit codes.
const (
	exitFailure     = 1
	exitBadInput    = 2
	exitInterrupted = 75
)

// job is the part of a batch/v1 Job the test checks.
type job struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Spec       struct {
		CompletionMode        string `yaml:"completionMode"`
		Completions           *int   `yaml:"completions"`
		Parallelism           *int   `yaml:"parallelism"`
		BackoffLimitPerIndex  *int   `yaml:"backoffLimitPerIndex"`
		ActiveDeadlineSeconds *int   `yaml:"activeDeadlineSeconds"`
		PodFailurePolicy      struct {
			Rules []struct {
				Action      string `yaml:"action"`
				OnExitCodes *struct {
					ContainerName string `yaml:"containerName"`
					Operator      string `yaml:"operator"`
					Values        []int  `yaml:"values"`
				} `yaml:"onExitCodes"`
				OnPodConditions []struct {
					Type string `yaml:"type"`
				} `yaml:"onPodConditions"`
			} `yaml:"rules"`
		} `yaml:"podFailurePolicy"`
		Template struct {
			Spec struct {
				RestartPolicy                 string `yaml:"restartPolicy"`
				TerminationGracePeriodSeconds *int   `yaml:"terminationGracePeriodSeconds"`
				Containers                    []struct {
					Name         string   `yaml:"name"`
					Image        string   `yaml:"image"`
					Command      []string `yaml:"command"`
					Args         []string `yaml:"args"`
					VolumeMounts []struct {
						Name      string `yaml:"name"`
						MountPath string `yaml:"mountPath"`
					} `yaml:"volumeMounts"`
				} `yaml:"containers"`
				Volumes []struct {
					Name string `yaml:"name"`
				} `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

func TestKubernetesIndexedJob(t *testing.T) {
	raw, err := os.ReadFile("k8s-indexed-job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var j job
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	if err := dec.Decode(&j); err != nil {
		t.Fatal(err)
	}
	s := j.Spec
	if j.APIVersion != "batch/v1" || j.Kind != "Job" {
		t.Fatalf("%s %s, want batch/v1 Job", j.APIVersion, j.Kind)
	}
	if s.CompletionMode != "Indexed" || s.Completions == nil || *s.Completions < 1 {
		t.Fatalf("completionMode %q, completions %v: want Indexed with a count", s.CompletionMode, s.Completions)
	}
	n := *s.Completions
	if s.BackoffLimitPerIndex == nil || *s.BackoffLimitPerIndex < 1 {
		t.Errorf("backoffLimitPerIndex %v, want ≥ 1: exit 1 is worth a retry", s.BackoffLimitPerIndex)
	}
	if s.ActiveDeadlineSeconds == nil || *s.ActiveDeadlineSeconds <= 0 {
		t.Error("no activeDeadlineSeconds: ignored exit-75 retries would be unbounded")
	}
	// podFailurePolicy needs restartPolicy Never.
	if s.Template.Spec.RestartPolicy != "Never" {
		t.Errorf("restartPolicy %q, want Never", s.Template.Spec.RestartPolicy)
	}
	if g := s.Template.Spec.TerminationGracePeriodSeconds; g == nil || *g < 30 {
		t.Errorf("terminationGracePeriodSeconds %v: too little time to checkpoint", g)
	}

	containers := s.Template.Spec.Containers
	if len(containers) != 1 || containers[0].Name != "ebmcpu" {
		t.Fatalf("containers %+v, want one named ebmcpu", containers)
	}
	c := containers[0]
	actions := map[int]string{}
	disruptionIgnored := false
	for _, r := range s.PodFailurePolicy.Rules {
		if e := r.OnExitCodes; e != nil {
			if e.ContainerName != c.Name || e.Operator != "In" {
				t.Errorf("rule %+v: want containerName %s, operator In", e, c.Name)
			}
			for _, v := range e.Values {
				actions[v] = r.Action
			}
		}
		for _, pc := range r.OnPodConditions {
			if pc.Type == "DisruptionTarget" && r.Action == "Ignore" {
				disruptionIgnored = true
			}
		}
	}
	if actions[exitBadInput] != "FailIndex" {
		t.Errorf("exit %d: action %q, want FailIndex (bad input: do not retry)", exitBadInput, actions[exitBadInput])
	}
	if actions[exitInterrupted] != "Ignore" {
		t.Errorf("exit %d: action %q, want Ignore (checkpointed interruption: retry without counting)", exitInterrupted, actions[exitInterrupted])
	}
	if a, ok := actions[exitFailure]; ok {
		t.Errorf("exit %d has action %q; it should count against backoffLimitPerIndex (no rule)", exitFailure, a)
	}
	if !disruptionIgnored {
		t.Error("no Ignore rule for the DisruptionTarget condition")
	}

	// The binary where the Dockerfile puts it, the suite writing to the
	// mounted volume, the shard count equal to completions.
	if !slices.Equal(c.Command, []string{"/ebmcpu"}) {
		t.Errorf("command %v, want [/ebmcpu]", c.Command)
	}
	if len(c.Args) == 0 || c.Args[0] != "suite" {
		t.Fatalf("args %v, want the suite", c.Args)
	}
	out := flagValue(t, c.Args, "--out")
	mounted := false
	for _, m := range c.VolumeMounts {
		mounted = mounted || m.MountPath == out
	}
	if !mounted {
		t.Errorf("--out %s is not a volume mount: results would die with the pod", out)
	}
	if slices.Contains(c.Args, "--shard-index") {
		t.Error("--shard-index in the args: every pod would run the same shard")
	}
	count, err := strconv.Atoi(flagValue(t, c.Args, "--shard-count"))
	if err != nil || count != n {
		t.Fatalf("--shard-count %d (%v), want completions %d", count, err, n)
	}

	// Each pod's JOB_COMPLETION_INDEX, set by hand, resolves to its shard,
	// and the shards cover a sweep exactly once.
	const items = 135 // 9 sets × 5 pairings × 3 seeds
	seen := make([]int, items)
	for i := range n {
		env := map[string]string{"JOB_COMPLETION_INDEX": strconv.Itoa(i)}
		sh, err := shard.Resolve(shard.Unset, count, func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		if sh.Index != i || sh.Count != n || sh.Source != "kubernetes" {
			t.Fatalf("index %d resolves to %v", i, sh)
		}
		for _, k := range sh.Items(items) {
			seen[k]++
		}
	}
	for k, v := range seen {
		if v != 1 {
			t.Fatalf("item %d run by %d pods", k, v)
		}
	}
}

// flagValue returns the value after flag in args.
func flagValue(t *testing.T, args []string, flag string) string {
	t.Helper()
	i := slices.Index(args, flag)
	if i < 0 || i+1 >= len(args) {
		t.Fatalf("args %v lack %s VALUE", args, flag)
	}
	return args[i+1]
}

func TestSlurmDirectives(t *testing.T) {
	raw, err := os.ReadFile("slurm-array.sh")
	if err != nil {
		t.Fatal(err)
	}
	directives := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "#SBATCH "); ok {
			k, v, _ := strings.Cut(strings.TrimSpace(rest), "=")
			directives[k] = v
		}
	}
	m := regexp.MustCompile(`^(\d+)-(\d+)$`).FindStringSubmatch(directives["--array"])
	if m == nil {
		t.Fatalf("--array=%q, want a range such as 0-7", directives["--array"])
	}
	lo, _ := strconv.Atoi(m[1])
	hi, _ := strconv.Atoi(m[2])
	sig := regexp.MustCompile(`^B:USR1@(\d+)$`).FindStringSubmatch(directives["--signal"])
	if sig == nil {
		t.Fatalf("--signal=%q, want B:USR1@SECONDS (the batch shell forwards it)", directives["--signal"])
	}
	if s, _ := strconv.Atoi(sig[1]); s < 60 {
		t.Errorf("--signal at %d s before the limit: too little time to checkpoint", s)
	}
	if _, ok := directives["--requeue"]; !ok {
		t.Error("no --requeue: scontrol requeue may be refused")
	}
	if _, ok := directives["--time"]; !ok {
		t.Error("no --time: --signal needs a time limit")
	}

	// The variables Slurm sets for each task of --array=lo-hi resolve to
	// shards 0..count-1.
	count := hi - lo + 1
	for id := lo; id <= hi; id++ {
		env := map[string]string{
			"SLURM_ARRAY_TASK_ID":    strconv.Itoa(id),
			"SLURM_ARRAY_TASK_COUNT": strconv.Itoa(count),
			"SLURM_ARRAY_TASK_MIN":   strconv.Itoa(lo),
			"SLURM_ARRAY_TASK_MAX":   strconv.Itoa(hi),
		}
		sh, err := shard.Resolve(shard.Unset, shard.Unset, func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		if sh.Index != id-lo || sh.Count != count || sh.Source != "slurm" {
			t.Fatalf("task %d resolves to %v", id, sh)
		}
	}
}

// fakeEbmcpu stands in for ebmcpu: it records its arguments and shard
// variables, then exits with $FAKE_EXIT, or with FAKE_EXIT=wait waits for
// SIGUSR1, records it and exits 75 as a checkpointing ebmcpu would.
const fakeEbmcpu = `#!/bin/bash
echo "$@" > "$FAKE_DIR/args"
echo "$SLURM_ARRAY_TASK_ID $SLURM_ARRAY_TASK_COUNT $SLURM_ARRAY_TASK_MIN" > "$FAKE_DIR/env"
if [ "$FAKE_EXIT" = wait ]; then
	trap 'echo USR1 >> "$FAKE_DIR/signals"; exit 75' USR1
	touch "$FAKE_DIR/ready"
	while :; do sleep 0.02; done
fi
exit "$FAKE_EXIT"
`

const fakeScontrol = `#!/bin/bash
echo "$@" >> "$FAKE_DIR/scontrol"
`

// TestSlurmScript runs the batch script with the stand-ins: the exit codes
// pass through, SIGUSR1 to the script reaches ebmcpu, and exit 75 (only)
// requeues the task, at most EBMCPU_MAX_REQUEUES times.
func TestSlurmScript(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	script, err := filepath.Abs("slurm-array.sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		exit     string // the stand-in's exit code, or "wait" for SIGUSR1
		restarts string // SLURM_RESTART_COUNT
		want     int
		requeue  bool
	}{
		{"done", "0", "", 0, false},
		{"runtime failure", "1", "", 1, false},
		{"bad input", "2", "", 2, false},
		{"interrupted", "75", "", 75, true},
		{"signal before the time limit", "wait", "3", 75, true},
		{"requeued too often", "75", "10", 75, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			bin := filepath.Join(dir, "bin")
			if err := os.Mkdir(bin, 0o755); err != nil {
				t.Fatal(err)
			}
			for name, body := range map[string]string{"ebmcpu": fakeEbmcpu, "scontrol": fakeScontrol} {
				if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command(bash, script)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(),
				"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
				"FAKE_DIR="+dir, "FAKE_EXIT="+tc.exit,
				"EBMCPU_OUT=/results", "SLURM_RESTART_COUNT="+tc.restarts,
				"SLURM_JOB_ID=1234", "SLURM_ARRAY_JOB_ID=1230", "SLURM_ARRAY_TASK_ID=5",
				"SLURM_ARRAY_TASK_COUNT=8", "SLURM_ARRAY_TASK_MIN=0",
			)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if tc.exit == "wait" {
				waitFor(t, filepath.Join(dir, "ready"))
				// What --signal=B:USR1 does: signal the batch shell only.
				if err := cmd.Process.Signal(syscall.SIGUSR1); err != nil {
					t.Fatal(err)
				}
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				t.Fatal("the script did not exit")
			}
			if got := cmd.ProcessState.ExitCode(); got != tc.want {
				t.Fatalf("exit %d, want %d", got, tc.want)
			}
			if args := readFile(t, dir, "args"); args != "suite --out /results" {
				t.Errorf("ebmcpu ran with %q", args)
			}
			if env := readFile(t, dir, "env"); env != "5 8 0" {
				t.Errorf("ebmcpu saw SLURM_ARRAY_TASK_ID/COUNT/MIN %q", env)
			}
			if tc.exit == "wait" && readFile(t, dir, "signals") != "USR1" {
				t.Error("SIGUSR1 did not reach ebmcpu")
			}
			requeued, _ := os.ReadFile(filepath.Join(dir, "scontrol"))
			if tc.requeue != (strings.TrimSpace(string(requeued)) == "requeue 1234") {
				t.Errorf("scontrol calls %q, requeue wanted: %v", requeued, tc.requeue)
			}
		})
	}
}

func waitFor(t *testing.T, path string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
	}
	t.Fatalf("%s never appeared", path)
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// dockerBuild is the build command of the Dockerfile, which the test runs.
const dockerBuild = `RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/ebmcpu ./cmd/ebmcpu`

func TestDockerfile(t *testing.T) {
	raw, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var froms []string
	var lines []string
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lines = append(lines, line)
		if rest, ok := strings.CutPrefix(line, "FROM "); ok {
			froms = append(froms, rest)
		}
	}
	if len(froms) != 2 {
		t.Fatalf("stages %v, want a build stage and a runtime stage", froms)
	}
	m := regexp.MustCompile(`^golang:(\d+)\.(\d+)\S* AS build$`).FindStringSubmatch(froms[0])
	if m == nil {
		t.Fatalf("build stage %q, want golang:X.Y AS build", froms[0])
	}
	// The build stage's Go must be at least go.mod's.
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	gm := regexp.MustCompile(`(?m)^go (\d+)\.(\d+)`).FindStringSubmatch(string(mod))
	if gm == nil {
		t.Fatal("go.mod has no go line")
	}
	if atoi(m[1])*1000+atoi(m[2]) < atoi(gm[1])*1000+atoi(gm[2]) {
		t.Errorf("the build stage's Go %s.%s is older than go.mod's %s.%s", m[1], m[2], gm[1], gm[2])
	}
	if runtime := froms[1]; runtime != "scratch" && !strings.HasPrefix(runtime, "gcr.io/distroless/static") {
		t.Errorf("runtime stage %q, want scratch or distroless/static: the binary is static", runtime)
	}
	serveBuild := strings.ReplaceAll(dockerBuild, "ebmcpu", "ebmcpu-serve")
	for _, want := range []string{dockerBuild, serveBuild, "COPY --from=build /out/ebmcpu /ebmcpu",
		"COPY --from=build /out/ebmcpu-serve /ebmcpu-serve", `ENTRYPOINT ["/ebmcpu"]`} {
		if !slices.Contains(lines, want) {
			t.Errorf("Dockerfile lacks %s", want)
		}
	}
	if ignore, err := os.ReadFile("Dockerfile.dockerignore"); err != nil || !strings.Contains(string(ignore), ".git") {
		t.Errorf("Dockerfile.dockerignore: %v", err)
	}

	// Run the build command here and check the binary is static: no
	// interpreter, no shared libraries.
	if testing.Short() {
		t.Skip("builds cmd/ebmcpu")
	}
	out := filepath.Join(t.TempDir(), "ebmcpu")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./cmd/ebmcpu")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the Dockerfile's build fails here:\n%s", b)
	}
	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary has an ELF interpreter: not static")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs %v", libs)
	}
	// It runs with nothing around it, as in the image.
	ver := exec.Command(out, "version")
	ver.Env = []string{}
	if b, err := ver.CombinedOutput(); err != nil || !strings.HasPrefix(string(b), "ebmcpu ") {
		t.Errorf("ebmcpu version in an empty environment: %v\n%s", err, b)
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
