//go:build unix

package e2e

import "syscall"

// processCPU is the CPU time (user + system, all threads) the process has used, in ms:
// on a shared machine it shows the work done, which wall time hides.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
}
