//go:build race

package sitemap

// raceAllocFactor: under the race detector bytes.Buffer's append-make
// growth compiles to two allocations instead of one, doubling what
// encoding/xml's text buffer costs.
const raceAllocFactor = 2
