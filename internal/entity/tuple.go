package entity

import (
	"bytes"
	"encoding/binary"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// Tuple is the entities of one combination of typed column values (a row's
// caller, source address, user agent, accounts, key…): sorted by (Kind,
// Value, Role), deduplicated, thresholded and filtered like Extract's output,
// with Row 0. Rows with the same typed values share one Tuple, so a batch
// validates and classifies each combination once, not once per row; the
// Extractor keeps them across batches (CloudTrail repeats a few thousand
// combinations over millions of events). A Tuple is read-only.
type Tuple struct {
	Entities []Entity
}

// Batch is the result of ExtractBatch: per row, the row's Tuple (the
// entities of its typed columns; nil when it has none) and the row's own
// entities from free text (JSON columns, error messages) that the tuple does
// not already hold. The two are disjoint, and together they are exactly
// what Extract returns for the row.
type Batch struct {
	rows   int
	tuples []*Tuple
	typed  []*Tuple // the rows' typed-value tuples when setText merged some into own tuples; else nil (= tuples)
	text   []Entity // sorted by (Row, Kind, Value, Role)
	start  []int32  // text of row i: text[start[i]:start[i+1]]
}

// Rows is the number of rows of the batch.
func (bt *Batch) Rows() int { return bt.rows }

// Tuple returns row i's tuple, or nil.
func (bt *Batch) Tuple(i int) *Tuple { return bt.tuples[i] }

// TypedTuple returns the tuple of row i's typed values alone, which another
// row with the same typed values may reuse (see ExtractBatch's known). It is
// Tuple(i) unless a free-text entity of the row beat one of the tuple's and
// the row got a tuple of its own.
func (bt *Batch) TypedTuple(i int) *Tuple {
	if bt.typed != nil {
		return bt.typed[i]
	}
	return bt.tuples[i]
}

// Text returns row i's own entities (Row = i), sorted by (Kind, Value, Role).
func (bt *Batch) Text(i int) []Entity { return bt.text[bt.start[i]:bt.start[i+1]] }

// TextLen is the number of own entities of all rows.
func (bt *Batch) TextLen() int { return len(bt.text) }

// Entities flattens the batch into Extract's output.
func (bt *Batch) Entities() []Entity {
	n := len(bt.text)
	for _, t := range bt.tuples {
		if t != nil {
			n += len(t.Entities)
		}
	}
	out := make([]Entity, 0, n)
	for i := 0; i < bt.rows; i++ {
		var typed []Entity
		if t := bt.tuples[i]; t != nil {
			typed = t.Entities
		}
		out = mergeInto(out, typed, bt.Text(i), int32(i))
	}
	return out
}

// cmpKVR orders entities by (Kind, Value, Role): finish's order, as kind
// and role ranks are their sorted orders.
func cmpKVR(a, b *Entity) int {
	if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
		return c
	}
	if c := strings.Compare(a.Value, b.Value); c != 0 {
		return c
	}
	return strings.Compare(a.Role, b.Role)
}

// TypedColumn reports whether the extractor reads the column name as a typed
// column (one entity kind per value; see the package documentation), which
// may be passed dictionary-encoded.
func TypedColumn(name string) bool {
	_, ok := typedColumns[name]
	return ok
}

// TupleColumn reports whether a row's Tuple depends on the column name: the
// typed columns, and vpc_endpoint_id (a private source address is
// vpc_endpoint when it is set). Rows equal in these columns have equal
// tuples.
func TupleColumn(name string) bool {
	return TypedColumn(name) || name == vpcEndpointColumn
}

// vpcEndpointColumn is the CloudTrail column whose presence makes a private
// source address vpc_endpoint (see viaEndpoint).
const vpcEndpointColumn = "vpc_endpoint_id"

// maxTuples bounds the Extractor's tuple cache; it is emptied when full.
// Small on purpose: each garbage collection scans every cached tuple, which
// costs more than recomputing the rare ones (measured: 2k beats 64k).
const maxTuples = 1 << 11

// typedCol is one typed column of a batch: a dictionary (idx set) or a
// plain string column (idx nil, dict holds the rows' values).
type typedCol struct {
	name string
	spec typedSpec
	idx  *array.Int32 // dictionary indices; nil for a string column
	dict Strings      // the dictionary, or the string column itself
}

// newTypedCol reads a typed column, a dictionary or a string array.
func newTypedCol(c Column, spec typedSpec) (typedCol, bool) {
	t := typedCol{name: c.Name, spec: spec}
	if d := c.Dict; d != nil {
		dict, ok := d.Dictionary().(Strings)
		idx, ok2 := d.Indices().(*array.Int32)
		if !ok || !ok2 {
			return t, false
		}
		t.dict, t.idx = dict, idx
		return t, true
	}
	if c.Values == nil {
		return t, false
	}
	t.dict = c.Values // row i's value is Values.Value(i)
	return t, true
}

// id returns row i's dictionary index, -1 for null (dictionaries only).
func (c *typedCol) id(i int) int32 {
	if i >= c.idx.Len() || c.idx.IsNull(i) {
		return -1
	}
	k := c.idx.Value(i)
	if c.dict.IsNull(int(k)) {
		return -1
	}
	return k
}

func (c *typedCol) value(i int) (string, bool) {
	if c.idx == nil {
		if i >= c.dict.Len() || c.dict.IsNull(i) {
			return "", false
		}
		return c.dict.Value(i), true
	}
	k := c.id(i)
	if k < 0 {
		return "", false
	}
	return c.dict.Value(int(k)), true
}

// sharedIndex returns the indices array when every typed column is a
// dictionary array with the same indices (the caller numbered the rows'
// combinations of typed values itself), or nil.
func sharedIndex(typed []typedCol) *array.Int32 {
	if len(typed) == 0 || typed[0].idx == nil {
		return nil
	}
	first := typed[0].idx
	v := first.Int32Values()
	for _, c := range typed[1:] {
		if c.idx == nil || c.idx.Len() != first.Len() || c.idx.NullN() != 0 || first.NullN() != 0 {
			return nil
		}
		if w := c.idx.Int32Values(); len(w) > 0 && len(v) > 0 && &w[0] != &v[0] {
			return nil
		}
	}
	return first
}

// ExtractBatch extracts the entities of a batch of rows rows from cols, as
// Extract does, grouping each row's typed-column entities into a shared
// Tuple. known, when not nil, holds tuples the caller already has: a row
// with known[i] set gets that tuple, and its typed values are not read. The
// caller must have it from TypedTuple of an earlier row with the same typed
// values, the same VPC endpoint presence and the same Extractor.
func (x *Extractor) ExtractBatch(cols []Column, rows int, known []*Tuple) *Batch {
	b := x.getBatch()
	b.reset(x, rows)
	defer x.putBatch(b)
	b.rowContext(cols)
	var typed []typedCol
	var vpce Strings
	for _, c := range cols {
		if t, ok := typedColumns[c.Name]; ok {
			if tc, ok := newTypedCol(c, t); ok {
				typed = append(typed, tc)
			}
		}
		if c.Name == vpcEndpointColumn && c.Values != nil {
			vpce = c.Values
		}
	}
	bt := &Batch{rows: rows, tuples: make([]*Tuple, rows)}
	copy(bt.tuples, known)
	b.tuples(bt, typed, vpce)
	for _, c := range cols {
		if c.Values == nil {
			continue
		}
		if role, ok := jsonColumns[c.Name]; ok {
			if c.Name == "user_identity" && hasColumn(cols, "user_identity_arn") {
				continue // the typed identity columns carry its entities
			}
			b.begin(c.Name, role)
			b.jsonColumn(c.Values)
		}
	}
	if rows > 0 {
		x.arenaPerRow.Store(int64(len(b.arena)/rows + 1))
		x.entsPerRow.Store(int64(len(b.ents)/rows + 1))
	}
	bt.setText(b.finish())
	return bt
}

// tuples finds each row's tuple: by the ids of the row's typed values, from
// the previous row or this batch's map, else by the values themselves
// (length-prefixed, so any bytes are safe) from the Extractor's cache,
// computing it when new.
func (b *batch) tuples(bt *Batch, typed []typedCol, vpce Strings) {
	if len(typed) == 0 {
		return
	}
	var sig strings.Builder // which typed columns: tuples of other column sets never mix
	for _, c := range typed {
		sig.WriteString(c.name)
		sig.WriteByte(',')
	}
	if vpce != nil {
		sig.WriteString("+vpce")
	}
	cache := b.x.cacheFor(sig.String())
	if idx := sharedIndex(typed); idx != nil {
		// One index per combination already: one tuple per index (and per
		// VPC endpoint flag).
		byIndex := make([]*Tuple, 2*typed[0].dict.Len())
		for i := 0; i < bt.rows; i++ {
			if bt.tuples[i] != nil || i >= idx.Len() || idx.IsNull(i) {
				continue
			}
			via := vpce != nil && i < vpce.Len() && vpce.IsValid(i)
			k := 2 * int(idx.Value(i))
			if via {
				k++
			}
			if byIndex[k] == nil {
				byIndex[k] = b.x.tuple(cache, b.tupleKey(typed, i, via), typed, i, via)
			}
			bt.tuples[i] = byIndex[k]
		}
		return
	}
	dicts := true
	for c := range typed {
		dicts = dicts && typed[c].idx != nil
	}
	local := map[string]*Tuple{}
	ids := make([]byte, 0, 4*len(typed)+1)
	prev := make([]byte, 0, cap(ids))
	var prevT *Tuple
	for i := 0; i < bt.rows; i++ {
		if bt.tuples[i] != nil {
			continue // known
		}
		via := vpce != nil && i < vpce.Len() && vpce.IsValid(i)
		if dicts { // the row's dictionary indices identify its values
			ids = ids[:0]
			for c := range typed {
				ids = binary.LittleEndian.AppendUint32(ids, uint32(typed[c].id(i)))
			}
			if via {
				ids = append(ids, 1)
			}
		} else { // string columns: the values themselves
			ids = append(ids[:0], b.tupleKey(typed, i, via)...)
		}
		if prevT != nil && bytes.Equal(ids, prev) {
			bt.tuples[i] = prevT
			continue
		}
		t, ok := local[string(ids)]
		if !ok {
			key := ids // string columns: ids already are the values' key
			if dicts {
				key = b.tupleKey(typed, i, via)
			}
			t = b.x.tuple(cache, key, typed, i, via)
			local[string(ids)] = t
		}
		bt.tuples[i] = t
		prev, ids = ids, prev
		prevT = t
	}
}

// tupleKey encodes row i's typed values (length-prefixed, so any bytes are
// safe) and the VPC endpoint flag, into a scratch buffer.
func (b *batch) tupleKey(typed []typedCol, i int, via bool) []byte {
	key := b.key[:0]
	for c := range typed {
		v, ok := typed[c].value(i)
		if !ok {
			key = append(key, 0)
			continue
		}
		key = binary.AppendUvarint(key, uint64(len(v))+1)
		key = append(key, v...)
	}
	if via {
		key = append(key, 1)
	}
	b.key = key
	return key
}

// tuple returns the cached tuple for key, computing it from row i of typed.
func (x *Extractor) tuple(cache map[string]*Tuple, key []byte, typed []typedCol, i int, viaEndpoint bool) *Tuple {
	x.mu.Lock()
	t, ok := cache[string(key)]
	x.mu.Unlock()
	if ok {
		return t
	}
	b := x.getTupleBatch()
	defer x.putTupleBatch(b)
	for c := range typed {
		v, ok := typed[c].value(i)
		if !ok {
			continue
		}
		b.begin(typed[c].name, typed[c].spec.role)
		b.typedValue(0, v, typed[c].spec)
	}
	if viaEndpoint {
		b.viaEndpoint()
	}
	t = &Tuple{Entities: b.finish()}
	if len(t.Entities) == 0 {
		t.Entities = nil
	}
	x.mu.Lock()
	if len(cache) >= maxTuples {
		clear(cache)
	}
	if old, ok := cache[string(key)]; ok {
		t = old // another goroutine made it first: share one
	} else {
		cache[string(key)] = t
	}
	x.mu.Unlock()
	return t
}

// getTupleBatch returns a scratch batch for one tuple: typed values only, so
// unlike reset it leaves the JSON key cache alone (24 kB to clear) and keeps
// the user agent classes (a pure function of the value).
func (x *Extractor) getTupleBatch() *batch {
	b := x.tfree.Get()
	if b == nil {
		b = &batch{uaClass: map[string]string{}}
	}
	b.x, b.rows = x, 1
	b.arena, b.ents, b.ctx = b.arena[:0], b.ents[:0], nil
	b.lastKey, b.lastKeyOff = "", 0
	b.counts = append(b.counts[:0], 0, 0)
	return b
}

func (x *Extractor) putTupleBatch(b *batch) {
	b.x = nil
	x.tfree.Put(b)
}

// cacheFor returns the tuple cache of one set of typed columns.
func (x *Extractor) cacheFor(sig string) map[string]*Tuple {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.cache == nil {
		x.cache = map[string]map[string]*Tuple{}
	}
	c, ok := x.cache[sig]
	if !ok {
		c = map[string]*Tuple{}
		x.cache[sig] = c
	}
	return c
}

// viaEndpoint marks the private source IPs of the batch's entities as
// vpc_endpoint: the event went through a VPC endpoint.
func (b *batch) viaEndpoint() {
	for i := range b.ents {
		e := &b.ents[i]
		if e.kind == IPAddress && e.role == RoleSourceIP && e.attr == IPPrivate {
			e.attr = IPVPCEndpoint
		}
	}
}

// setText stores the free-text entities (sorted by row) and removes those a
// row's tuple already holds with a confidence at least as high. When a
// free-text entity beats one of the tuple's (not the case with the
// confidence levels in use: typed fields are 1.0), the row gets a tuple of
// its own with the merged entities.
func (bt *Batch) setText(text []Entity) {
	bt.start = make([]int32, bt.rows+1)
	out := text[:0]
	for k := 0; k < len(text); {
		r := int(text[k].Row)
		j := k
		for j < len(text) && int(text[j].Row) == r {
			j++
		}
		from := len(out)
		t := bt.tuples[r]
		if t == nil {
			out = append(out, text[k:j]...)
		} else {
			own := false
			for _, e := range text[k:j] {
				switch winner(t.Entities, &e) {
				case 0:
					out = append(out, e)
				case 1: // the tuple's entity wins: drop e
				case 2:
					own = true
				}
			}
			if own {
				out = out[:from]
				if bt.typed == nil {
					bt.typed = append([]*Tuple(nil), bt.tuples...)
				}
				bt.tuples[r] = &Tuple{Entities: mergeInto(nil, t.Entities, text[k:j], 0)}
			}
		}
		for p := from; p < len(out); p++ {
			bt.start[r+1]++
		}
		k = j
	}
	for i := 1; i <= bt.rows; i++ {
		bt.start[i] += bt.start[i-1]
	}
	bt.text = out
}

// winner looks e up in the sorted tuple entities: 0 = not there, 1 = the
// tuple's entity is kept, 2 = e is (higher confidence, or equal and a
// smaller field).
func winner(typed []Entity, e *Entity) int {
	lo, hi := 0, len(typed)
	for lo < hi {
		m := (lo + hi) / 2
		if cmpKVR(&typed[m], e) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == len(typed) || cmpKVR(&typed[lo], e) != 0 {
		return 0
	}
	if cmpEntity(*e, typed[lo]) < 0 {
		return 2
	}
	return 1
}

// mergeInto appends to dst a tuple's entities and a row's own (each sorted
// by Kind, Value, Role) with Row set to row, keeping the better (cmpEntity)
// of two with equal (Kind, Value, Role).
func mergeInto(dst, typed, text []Entity, row int32) []Entity {
	a, b := 0, 0
	for a < len(typed) || b < len(text) {
		var c int
		switch {
		case b == len(text):
			c = -1
		case a == len(typed):
			c = 1
		default:
			c = cmpKVR(&typed[a], &text[b])
		}
		var e Entity
		switch {
		case c < 0:
			e = typed[a]
			a++
		case c > 0:
			e = text[b]
			b++
		default:
			e = typed[a]
			if cmpEntity(text[b], e) < 0 {
				e = text[b]
			}
			a++
			b++
		}
		e.Row = row
		dst = append(dst, e)
	}
	return dst
}
