//go:build !race

package sitemap

const raceAllocFactor = 1
