//go:build race

package e2e

// The binary under test gets the race detector when the tests have it, so
// the worker and job processes are race-checked too.
const raceFlag = "-race"
