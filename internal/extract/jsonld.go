package extract

import (
	"bytes"
	"encoding/json"
)

// ldNode decodes only what the audit needs from a JSON-LD node; other
// members are skipped. @graph members stay raw and are decoded one level
// at a time, so deep nesting costs linear, not quadratic, time.
type ldNode struct {
	Type  ldTypes           `json:"@type"`
	Graph []json.RawMessage `json:"@graph"`
}

// maxGraphDepth bounds how deep nested @graph arrays are searched.
const maxGraphDepth = 8

// ldTypes accepts "@type" as a string or an array of strings.
type ldTypes []string

func (t *ldTypes) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = ldTypes{s}
	case len(b) > 0 && b[0] == '[':
		var raw []json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return err
		}
		for _, r := range raw {
			var s string
			if json.Unmarshal(r, &s) == nil {
				*t = append(*t, s)
			}
		}
	}
	return nil
}

func (e *extractor) jsonLD(b []byte) {
	ld := &e.p.JSONLD
	if len(b) > e.o.MaxJSONLDBytes {
		ld.Oversized++
		return
	}
	// A block is one node or an array of nodes. Unmarshal checks the syntax
	// of the whole block before decoding, so broken blocks are caught.
	var nodes []json.RawMessage
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		if err := json.Unmarshal(b, &nodes); err != nil {
			e.jsonLDError(err.Error())
			return
		}
	} else {
		if !json.Valid(b) {
			var v struct{}
			e.jsonLDError(json.Unmarshal(b, &v).Error())
			return
		}
		nodes = []json.RawMessage{b}
	}
	e.ldTypes(nodes, 0)
}

func (e *extractor) jsonLDError(msg string) {
	ld := &e.p.JSONLD
	ld.Errors++
	if len(ld.Messages) < maxJSONLDMessage {
		ld.Messages = append(ld.Messages, collapse([]byte(msg), 200))
	}
}

// ldTypes collects the @type values of nodes (already valid JSON) and of
// their @graph members. Non-object members are valid JSON-LD and skipped.
func (e *extractor) ldTypes(nodes []json.RawMessage, depth int) {
	ld := &e.p.JSONLD
	for _, raw := range nodes {
		var n ldNode
		if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &n) != nil {
			continue
		}
		for _, t := range n.Type {
			if len(ld.Types) >= e.o.MaxItems {
				break
			}
			if contains(ld.Types, t) {
				continue
			}
			if t = collapse([]byte(t), e.o.MaxTextRunes); !contains(ld.Types, t) {
				ld.Types = append(ld.Types, t)
			}
		}
		if depth < maxGraphDepth {
			e.ldTypes(n.Graph, depth+1)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func isJSONLDType(t []byte) bool {
	if i := bytes.IndexByte(t, ';'); i >= 0 {
		t = t[:i]
	}
	return eqFold(trimSpace(t), "application/ld+json")
}
