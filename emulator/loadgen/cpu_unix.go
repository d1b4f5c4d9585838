//go:build unix

package loadgen

import (
	"syscall"
	"time"
)

// ownCPU is the CPU time this process has used (user and system).
func ownCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
