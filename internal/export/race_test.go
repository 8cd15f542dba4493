//go:build race

package export_test

// raceEnabled: the race detector slows the database drivers tenfold.
const raceEnabled = true
