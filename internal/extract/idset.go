package extract

import (
	"bytes"
	"slices"
)

// idSet records id attribute values in one arena, so a page with
// thousands of ids costs a few amortised allocations rather than one per
// id. Duplicates are found at the end by sorting hashes.
type idSet struct {
	arena []byte
	spans []idSpan
	full  bool
}

type idSpan struct {
	hash     uint64
	off, len int32
}

func (s *idSet) add(v []byte) {
	if len(v) == 0 || s.full {
		return
	}
	if len(s.spans) >= maxTrackedIDs || len(s.arena)+len(v) > maxIDArenaBytes {
		s.full = true // stop tracking; a page this size is reported as huge anyway
		return
	}
	s.spans = append(s.spans, idSpan{hashBytes(v), int32(len(s.arena)), int32(len(v))})
	s.arena = append(s.arena, v...)
}

func (s *idSet) bytes(sp idSpan) []byte { return s.arena[sp.off : sp.off+sp.len] }

// duplicates returns how many distinct values occur more than once, and
// the first maxDuplicateIDs of them.
func (s *idSet) duplicates(maxRunes int) (int, []string) {
	slices.SortFunc(s.spans, func(a, b idSpan) int {
		if a.hash != b.hash {
			if a.hash < b.hash {
				return -1
			}
			return 1
		}
		if c := bytes.Compare(s.bytes(a), s.bytes(b)); c != 0 {
			return c
		}
		return int(a.off - b.off)
	})
	count := 0
	var vals []string
	for i := 1; i < len(s.spans); i++ {
		a, b := s.spans[i-1], s.spans[i]
		if a.hash != b.hash || !bytes.Equal(s.bytes(a), s.bytes(b)) {
			continue
		}
		// Count a value once, at its second occurrence.
		if i >= 2 {
			if c := s.spans[i-2]; c.hash == a.hash && bytes.Equal(s.bytes(c), s.bytes(a)) {
				continue
			}
		}
		count++
		if len(vals) < maxDuplicateIDs {
			vals = append(vals, collapse(s.bytes(a), maxRunes))
		}
	}
	return count, vals
}
