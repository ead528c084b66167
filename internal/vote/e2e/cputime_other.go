//go:build !unix

package e2e

func processCPU() float64 { return 0 }
