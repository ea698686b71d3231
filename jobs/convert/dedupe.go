package convert

import (
	"encoding/binary"
	"hash/fnv"
)

// CloudTrail delivers an event at least once: the same eventID can appear
// twice in one file or in two files of the same account, region and delivery
// hour. The sequencer drops every repeat, so a run writes one row per event.
//
// It sees rows in a fixed order (object keys in order, records in file order),
// so the copy that wins is always the first one: the one from the smallest
// object key, earliest in its file. Nothing depends on scheduling.
//
// Scope: an eventID is remembered per (account, region, delivery hour) of the
// raw object's key. Delivery files of one such scope are adjacent in key order
// (AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/…_YYYYMMDDTHHMMZ_…), so only
// the last few scopes are kept (maxDedupScopes) and memory stays bounded by the
// events of one delivery hour, not by the run. Repeats delivered in another
// hour, or in another run, are not detected here.

// maxDedupScopes bounds the scopes remembered at once (least recently used
// are dropped); it only matters for keys outside the AWS delivery layout,
// whose scopes may interleave.
const maxDedupScopes = 4

type dedupScope struct {
	account, region, tag string
}

type dedupSet struct {
	scope dedupScope
	seen  map[[16]byte]struct{}
	used  int64
}

// deduper remembers the event ids written in the most recent scopes.
type deduper struct {
	sets []*dedupSet
	tick int64
}

// set returns the id set of a scope, creating it (and evicting the least
// recently used one) when needed.
func (d *deduper) set(sc dedupScope) *dedupSet {
	d.tick++
	var lru *dedupSet
	for _, s := range d.sets {
		if s.scope == sc {
			s.used = d.tick
			return s
		}
		if lru == nil || s.used < lru.used {
			lru = s
		}
	}
	if len(d.sets) >= maxDedupScopes {
		lru.scope, lru.used = sc, d.tick
		clear(lru.seen)
		return lru
	}
	s := &dedupSet{scope: sc, seen: map[[16]byte]struct{}{}, used: d.tick}
	d.sets = append(d.sets, s)
	return s
}

// firstSeen records id and reports whether it is new. An empty id is never a
// duplicate: without an id, two records cannot be told to be the same event.
func (s *dedupSet) firstSeen(id string) bool {
	if id == "" {
		return true
	}
	h := fnv.New128a()
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(id)))
	h.Write(n[:])
	h.Write([]byte(id))
	var k [16]byte
	h.Sum(k[:0])
	if _, ok := s.seen[k]; ok {
		return false
	}
	s.seen[k] = struct{}{}
	return true
}
