//go:build amd64 && !linux

package flowlog

import "time"

// classifyCPUTime is 0 where the benchmarks do not read the process's CPU time (they then omit cpu-ns/line).
func classifyCPUTime() time.Duration { return 0 }
