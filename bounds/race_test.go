//go:build race

package bounds

// raceEnabled lets the slowest statistical tests skip under the race
// detector (they run single-goroutine code that the other tests cover).
const raceEnabled = true
