package shard

import (
	"strings"
	"testing"
)

// envOf returns a lookup over m, as os.Getenv would over the environment.
func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestResolve(t *testing.T) {
	for _, tc := range []struct {
		name         string
		index, count int
		env          map[string]string
		want         Shard
	}{
		{"nothing", Unset, Unset, nil, All},
		{"count 1 alone", Unset, 1, nil, All},
		{"flags", 2, 5, nil, Shard{2, 5, "flags"}},
		{"flags win over env", 0, 2, map[string]string{"JOB_COMPLETION_INDEX": "7", "SLURM_ARRAY_TASK_ID": "3"}, Shard{0, 2, "flags"}},
		{"kubernetes", Unset, 8, map[string]string{"JOB_COMPLETION_INDEX": "7"}, Shard{7, 8, "kubernetes"}},
		{"slurm 0-based", Unset, Unset, map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0"}, Shard{3, 4, "slurm"}},
		{"slurm 1-based", Unset, Unset, map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "8", "SLURM_ARRAY_TASK_MIN": "1"}, Shard{0, 8, "slurm"}},
		{"slurm without min", Unset, Unset, map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "3"}, Shard{2, 3, "slurm"}},
		{"slurm step", Unset, Unset, map[string]string{"SLURM_ARRAY_TASK_ID": "12", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_STEP": "4"}, Shard{3, 4, "slurm"}},
		{"slurm count from flag", Unset, 10, map[string]string{"SLURM_ARRAY_TASK_ID": "9", "SLURM_ARRAY_TASK_COUNT": "4"}, Shard{9, 10, "slurm"}},
		{"aws", Unset, Unset, map[string]string{"AWS_BATCH_JOB_ARRAY_INDEX": "0", "AWS_BATCH_JOB_ARRAY_SIZE": "2"}, Shard{0, 2, "aws-batch"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Resolve(tc.index, tc.count, envOf(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	for _, tc := range []struct {
		name         string
		index, count int
		env          map[string]string
		mention      string // the error must name this flag or variable
	}{
		{"index without count", 3, Unset, nil, "--shard-count"},
		{"index too large", 5, 5, nil, "--shard-index"},
		{"negative index", -2, 5, nil, "--shard-index"},
		{"zero count", 0, 0, nil, "--shard-count"},
		{"huge count", 0, MaxCount + 1, nil, "--shard-count"},
		{"count without index", Unset, 4, nil, "--shard-count"},
		{"kubernetes without count", Unset, Unset, map[string]string{"JOB_COMPLETION_INDEX": "1"}, "--shard-count"},
		{"kubernetes garbage", Unset, 4, map[string]string{"JOB_COMPLETION_INDEX": "one"}, "JOB_COMPLETION_INDEX"},
		{"kubernetes negative", Unset, 4, map[string]string{"JOB_COMPLETION_INDEX": "-1"}, "JOB_COMPLETION_INDEX"},
		{"kubernetes out of range", Unset, 4, map[string]string{"JOB_COMPLETION_INDEX": "4"}, "JOB_COMPLETION_INDEX"},
		{"two engines", Unset, 4, map[string]string{"JOB_COMPLETION_INDEX": "1", "AWS_BATCH_JOB_ARRAY_INDEX": "1"}, "AWS_BATCH_JOB_ARRAY_INDEX"},
		{"slurm no count", Unset, Unset, map[string]string{"SLURM_ARRAY_TASK_ID": "1"}, "SLURM_ARRAY_TASK_COUNT"},
		{"slurm zero count", Unset, Unset, map[string]string{"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "0"}, "SLURM_ARRAY_TASK_COUNT"},
		{"slurm below min", Unset, Unset, map[string]string{"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "1"}, "SLURM_ARRAY_TASK_MIN"},
		{"slurm off step", Unset, Unset, map[string]string{"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_STEP": "4"}, "SLURM_ARRAY_TASK_STEP"},
		{"slurm uneven list", Unset, Unset, map[string]string{"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "1"}, "SLURM_ARRAY_TASK_ID"},
		{"slurm garbage step", Unset, Unset, map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_STEP": "0"}, "SLURM_ARRAY_TASK_STEP"},
		{"aws size garbage", Unset, Unset, map[string]string{"AWS_BATCH_JOB_ARRAY_INDEX": "0", "AWS_BATCH_JOB_ARRAY_SIZE": "2x"}, "AWS_BATCH_JOB_ARRAY_SIZE"},
		{"aws overflow", Unset, Unset, map[string]string{"AWS_BATCH_JOB_ARRAY_INDEX": "99999999999999999999", "AWS_BATCH_JOB_ARRAY_SIZE": "2"}, "AWS_BATCH_JOB_ARRAY_INDEX"},
		{"aws index ≥ size", Unset, Unset, map[string]string{"AWS_BATCH_JOB_ARRAY_INDEX": "2", "AWS_BATCH_JOB_ARRAY_SIZE": "2"}, "AWS_BATCH_JOB_ARRAY_INDEX"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Resolve(tc.index, tc.count, envOf(tc.env))
			if err == nil {
				t.Fatalf("got %v, want an error", got)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Fatalf("error %q does not name %s", err, tc.mention)
			}
		})
	}
}

// TestItemsPartition checks that the shards of a sweep cover every item
// exactly once, round-robin, whether items outnumber shards or not.
func TestItemsPartition(t *testing.T) {
	for _, n := range []int{0, 1, 7, 45} {
		for _, count := range []int{1, 2, 8, 50} {
			seen := make([]int, n)
			for idx := 0; idx < count; idx++ {
				s := Shard{Index: idx, Count: count}
				items := s.Items(n)
				for k, i := range items {
					if i != idx+k*count {
						t.Fatalf("n=%d shard %v: item %d is %d, want round-robin %d", n, s, k, i, idx+k*count)
					}
					if !s.Owns(i) {
						t.Fatalf("shard %v lists %d but does not own it", s, i)
					}
					seen[i]++
				}
			}
			for i, c := range seen {
				if c != 1 {
					t.Fatalf("n=%d count=%d: item %d assigned %d times", n, count, i, c)
				}
			}
		}
	}
}
