//go:build !linux

package main

// loadAverage returns "": the load averages are read on Linux only.
func loadAverage() string { return "" }
