// Package shard splits a sweep across the array tasks of a batch engine.
//
// A sweep of n items runs as Count shards; shard Index runs the items i with
// i mod Count = Index (round-robin). Round-robin rather than contiguous blocks
// because the suite's items are ordered set × pairing × seed: blocks would give
// one shard all the slow diffusion pairings of a set, round-robin spreads every
// pairing over the shards, and adding items at the end of the list moves no
// item already assigned (a block split moves most of them).
//
// Resolve reads the shard from flags or from the variables the engines set:
//
//	flags             --shard-index I --shard-count N (both, or only the count with an engine variable)
//	Kubernetes        JOB_COMPLETION_INDEX (completionMode: Indexed); the count from --shard-count
//	Slurm             SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT, SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_STEP
//	AWS Batch         AWS_BATCH_JOB_ARRAY_INDEX, AWS_BATCH_JOB_ARRAY_SIZE
//
// Kubernetes puts the completion index in the pod's environment but not the
// Job's completions (the downward API exposes pod fields, not the Job's spec),
// so on Kubernetes the count comes from the --shard-count flag, which the
// manifest sets equal to spec.completions.
//
// Slurm numbers array tasks as --array says: --array=1-8 gives ids 1..8 and
// --array=0-15:4 gives 0, 4, 8, 12. The 0-based index is
// (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP, with
// MIN 0 and STEP 1 when unset. An id list with uneven gaps (--array=1,4,5)
// has no such index and is rejected unless the flags give the shard.
package shard

import (
	"fmt"
	"strconv"
)

// Unset is the flag value meaning "not given".
const Unset = -1

// MaxCount bounds the shard count: beyond it a count is a typo, not a sweep.
const MaxCount = 1 << 20

// A Shard is the part of a sweep one task runs.
type Shard struct {
	Index  int    // in [0, Count)
	Count  int    // ≥ 1
	Source string // where Index came from: "flags", "kubernetes", "slurm", "aws-batch", or "none"
}

// All is the whole sweep as one shard.
var All = Shard{Index: 0, Count: 1, Source: "none"}

// Owns reports whether item i of the sweep belongs to s: i mod Count = Index.
func (s Shard) Owns(i int) bool {
	return i%s.Count == s.Index
}

// Items returns the items of 0..n−1 that s owns, in increasing order:
// Index, Index+Count, Index+2·Count, …
func (s Shard) Items(n int) []int {
	var out []int
	for i := s.Index; i < n; i += s.Count {
		out = append(out, i)
	}
	return out
}

// String formats s as "index/count (source)", e.g. "3/8 (kubernetes)".
func (s Shard) String() string {
	return fmt.Sprintf("%d/%d (%s)", s.Index, s.Count, s.Source)
}

// engine is one batch engine's array variables.
type engine struct {
	source string
	index  string // the variable holding the task's index
	count  string // the variable holding the task count, "" if the engine sets none
}

var engines = []engine{
	{"kubernetes", "JOB_COMPLETION_INDEX", ""},
	{"slurm", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT"},
	{"aws-batch", "AWS_BATCH_JOB_ARRAY_INDEX", "AWS_BATCH_JOB_ARRAY_SIZE"},
}

// Resolve returns the shard this process runs. flagIndex and flagCount are
// the --shard-index and --shard-count flags, Unset when not given; env looks
// up an environment variable (os.Getenv), "" meaning unset.
//
// Flags win: with --shard-index the engines' variables are not read. Without
// it, the one engine whose index variable is set gives the index, and the
// count comes from --shard-count or else the engine's count variable. With
// neither flags nor variables the result is All. Two engines' variables at
// once, an index outside [0, count), a count outside [1, MaxCount] and any
// value that is not a decimal integer are errors naming the flag or variable.
func Resolve(flagIndex, flagCount int, env func(string) string) (Shard, error) {
	if flagIndex < Unset {
		return Shard{}, fmt.Errorf("--shard-index=%d: want an integer ≥ 0", flagIndex)
	}
	if flagCount != Unset && (flagCount < 1 || flagCount > MaxCount) {
		return Shard{}, fmt.Errorf("--shard-count=%d: want an integer in [1, %d]", flagCount, MaxCount)
	}
	if flagIndex != Unset {
		if flagCount == Unset {
			return Shard{}, fmt.Errorf("--shard-index=%d needs --shard-count", flagIndex)
		}
		return check(Shard{flagIndex, flagCount, "flags"}, "--shard-index")
	}

	var found *engine
	for i := range engines {
		if env(engines[i].index) == "" {
			continue
		}
		if found != nil {
			return Shard{}, fmt.Errorf("both %s and %s are set: pass --shard-index and --shard-count", found.index, engines[i].index)
		}
		found = &engines[i]
	}
	if found == nil {
		if flagCount != Unset && flagCount != 1 {
			return Shard{}, fmt.Errorf("--shard-count=%d without --shard-index or an array index variable (%s, %s or %s)",
				flagCount, engines[0].index, engines[1].index, engines[2].index)
		}
		return All, nil
	}

	idx, err := envInt(env, found.index, 0, MaxCount-1)
	if err != nil {
		return Shard{}, err
	}
	if found.source == "slurm" {
		if idx, err = slurmIndex(env, idx); err != nil {
			return Shard{}, err
		}
	}
	count, countName := flagCount, "--shard-count"
	if count == Unset {
		if found.count == "" {
			return Shard{}, fmt.Errorf("%s is set but the shard count is not: pass --shard-count (the Job's completions)", found.index)
		}
		countName = found.count
		if count, err = envInt(env, found.count, 1, MaxCount); err != nil {
			return Shard{}, err
		}
	}
	s, err := check(Shard{idx, count, found.source}, found.index)
	if err != nil {
		return Shard{}, fmt.Errorf("%w (count from %s)", err, countName)
	}
	return s, nil
}

// slurmIndex turns a Slurm array task id into a 0-based index using
// SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_STEP.
func slurmIndex(env func(string) string, id int) (int, error) {
	lo, step := 0, 1
	var err error
	if env("SLURM_ARRAY_TASK_MIN") != "" {
		if lo, err = envInt(env, "SLURM_ARRAY_TASK_MIN", 0, MaxCount-1); err != nil {
			return 0, err
		}
	}
	if env("SLURM_ARRAY_TASK_STEP") != "" {
		if step, err = envInt(env, "SLURM_ARRAY_TASK_STEP", 1, MaxCount); err != nil {
			return 0, err
		}
	}
	if id < lo || (id-lo)%step != 0 {
		return 0, fmt.Errorf("SLURM_ARRAY_TASK_ID=%d is not SLURM_ARRAY_TASK_MIN=%d plus a multiple of SLURM_ARRAY_TASK_STEP=%d: use --array=0-N or pass --shard-index", id, lo, step)
	}
	return (id - lo) / step, nil
}

// check validates 0 ≤ Index < Count; name is where Index came from.
func check(s Shard, name string) (Shard, error) {
	if s.Index < 0 || s.Index >= s.Count {
		return Shard{}, fmt.Errorf("%s: index %d outside [0, %d)", name, s.Index, s.Count)
	}
	return s, nil
}

// envInt parses the decimal integer in variable name, which must lie in [lo, hi].
func envInt(env func(string) string, name string, lo, hi int) (int, error) {
	v := env(name)
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s=%q: want an integer in [%d, %d]", name, v, lo, hi)
	}
	return n, nil
}
