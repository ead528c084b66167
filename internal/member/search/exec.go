package search

import (
	"cmp"
	"math/bits"
	"runtime"
	"slices"
	"sort"
	"sync"
	"unicode/utf8"
)

// Ranks, best first. A hit's sort key is rank<<40 | diacritic mismatches<<32 | name key.
const (
	rankExact       = iota // the canonical name equals the canonical query
	rankExactFolded        // equal once diacritics are removed
	rankPrefix             // the name starts with the query
	rankWords              // every query syllable is in the name, in any order
	rankFuzzy              // found by allowing one typo in a syllable of four letters or more
	rankFilter             // no text: every member the filters let through
)

var rankKinds = [...]Kind{KindExact, KindExactFolded, KindPrefix, KindWords, KindFuzzy, KindFilter}

// How a term is checked against the candidates of the driver (the smallest term).
const (
	modeCursor = iota // one posting list, walked forward beside the driver
	modeBitmap        // several posting lists, marked in bitmaps over ordinals first
	modeVerify        // so many postings that reading each candidate's syllables is cheaper
)

// A term of one posting list is walked beside the driver when it is more than cursorRatio
// times longer (a gallop per candidate beats marking it); a longer term is marked in a
// bitmap when its postings are at most bitmapRatio times the driver's, else checked
// against each candidate's syllables.
const (
	cursorRatio = 8
	bitmapRatio = 50
)

// parallelAbove is the number of driver postings above which a query is split across
// two goroutines (the index targets two cores). A variable for the tests.
var parallelAbove = 150_000

// term is one syllable of the query with the folded syllables it accepts.
type term struct {
	q      qsyl
	idx    int  // position in the query
	prefix bool // the last syllable: any folded syllable starting with it
	exact  int32
	syls   []uint32 // folded syllables whose postings the term reads
	set    []uint64 // every folded syllable the term accepts, as a bitset over folded IDs
	pset   []uint64 // syls as a bitset (verify mode)
	fuzzy  bool
	less   bool // syls leave out syllables other terms claim (see newPlan)
	size   int  // postings in scope
	mode   int
	slot   int // cursor slot

	present, at []uint64 // bitmaps over ordinals (bitmap terms and a multi-list driver)
}

func (t *term) inSet(f uint32) bool { return t.set[f>>6]&(1<<(f&63)) != 0 }

type plan struct {
	st         *state
	sc         scope
	k          int
	byIdx      []*term // in query order
	driver     *term
	others     []*term // smallest first
	fuzzy      bool
	slow       bool // terms could share a syllable: confirm candidates syllable by syllable
	diacritics bool
	year       uint32
	status     int // -1: any
	heapCap    int
	cursors    int
}

// newPlan prepares a query against s, or returns nil when nothing can match.
func (s *state) newPlan(pq parsed, q Query, sc scope, forceFuzzy bool) *plan {
	pl := &plan{st: s, sc: sc, k: len(pq.syl), year: uint32(q.BirthYear), status: -1, heapCap: q.Offset + q.Limit}
	if q.Status != "" {
		id, ok := s.statusBy[q.Status]
		if !ok {
			return nil
		}
		pl.status = int(id)
	}
	for i, qs := range pq.syl {
		t := &term{q: qs, idx: i, prefix: i == len(pq.syl)-1, exact: -1}
		if id, ok := s.v.foldBy[qs.folded]; ok {
			t.exact = int32(id)
		}
		if t.prefix {
			t.syls = slices.Clone(s.v.foldPrefix(qs.folded))
			slices.Sort(t.syls) // by ID, as intersects and union expect
		} else if t.exact >= 0 {
			t.syls = []uint32{uint32(t.exact)}
		}
		if (len(t.syls) == 0 || forceFuzzy) && utf8.RuneCountInString(qs.folded) >= 4 {
			t.syls = union(t.syls, s.v.neighbors(qs.folded))
			t.fuzzy, pl.fuzzy = true, true
		}
		if len(t.syls) == 0 {
			return nil
		}
		pl.diacritics = pl.diacritics || qs.diacritics()
		t.set = make([]uint64, (len(s.v.fold)+63)/64)
		for _, f := range t.syls {
			t.set[f>>6] |= 1 << (f & 63)
		}
		pl.byIdx = append(pl.byIdx, t)
	}
	// Each query syllable needs a name syllable of its own ("Thanh Th" does not match
	// "Nguyễn Văn Thanh"). The last, prefix term reads the postings of its syllables less
	// those the single-syllable terms already claim: for a name without a repeated
	// syllable that is the same test. When postings still overlap (a repeated query
	// syllable, typo expansions), candidates that pass the posting checks are confirmed
	// syllable by syllable.
	dup := false
	for i, a := range pl.byIdx {
		for _, b := range pl.byIdx[:i] {
			dup = dup || a.q.folded == b.q.folded
		}
	}
	if last := len(pl.byIdx) - 1; last > 0 && !dup && !pl.byIdx[last].fuzzy {
		t := pl.byIdx[last]
		var claimed []uint32
		for _, o := range pl.byIdx[:last] {
			if len(o.syls) == 1 && !o.fuzzy {
				claimed = append(claimed, o.syls[0])
			}
		}
		t.syls = slices.DeleteFunc(slices.Clone(t.syls), func(f uint32) bool { return slices.Contains(claimed, f) })
		t.less = len(claimed) > 0
	}
	pl.slow = dup
	for i, a := range pl.byIdx {
		for _, b := range pl.byIdx[:i] {
			pl.slow = pl.slow || intersects(a.syls, b.syls)
		}
		a.size = s.postingsIn(a.syls, sc.segs)
	}
	if pl.k == 0 {
		return pl
	}
	order := slices.Clone(pl.byIdx)
	slices.SortStableFunc(order, func(a, b *term) int { return cmp.Compare(a.size, b.size) })
	if order[0].less {
		// A name that repeats a claimed syllable ("Hoàng Hoàng Hùng" for "Hoàng Hoa") is
		// not in the reduced postings: such a term may check, not drive.
		order[0], order[1] = order[1], order[0]
	}
	pl.driver, pl.others = order[0], order[1:]
	if pl.driver.size == 0 {
		return nil
	}
	for _, t := range pl.others {
		switch {
		case len(t.syls) == 1 && t.size > cursorRatio*pl.driver.size:
			t.mode, t.slot = modeCursor, pl.cursors
			pl.cursors++
		case t.size <= bitmapRatio*pl.driver.size:
			t.mode = modeBitmap
		default:
			t.mode = modeVerify
			t.pset = make([]uint64, len(t.set))
			for _, f := range t.syls {
				t.pset[f>>6] |= 1 << (f & 63)
			}
		}
	}
	if len(pl.driver.syls) > 1 {
		pl.driver.mode = modeBitmap
	}
	return pl
}

// intersects reports whether two sorted lists share an element.
func intersects(a, b []uint32) bool {
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0] < b[0]:
			a = a[1:]
		case a[0] > b[0]:
			b = b[1:]
		default:
			return true
		}
	}
	return false
}

func union(a, b []uint32) []uint32 {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// postingsIn counts the postings of the folded syllables syls inside the segments.
func (s *state) postingsIn(syls []uint32, segs []seg) int {
	n := 0
	for _, f := range syls {
		if int(f) >= len(s.post) {
			continue
		}
		p := s.post[f]
		for _, sg := range segs {
			n += lowerBound(p, sg.hi<<posBits) - lowerBound(p, sg.lo<<posBits)
		}
	}
	return n
}

func lowerBound(p []uint32, key uint32) int {
	return sort.Search(len(p), func(i int) bool { return p[i] >= key })
}

// gallop returns the first index ≥ i whose entry is ≥ key.
func gallop(p []uint32, i int, key uint32) int {
	if i >= len(p) || p[i] >= key {
		return i
	}
	lo, step := i, 1 // p[lo] < key
	for lo+step < len(p) && p[lo+step] < key {
		lo += step
		step <<= 1
	}
	hi := min(lo+step, len(p)) // answer in (lo, hi]
	return lo + 1 + sort.Search(hi-lo-1, func(j int) bool { return p[lo+1+j] >= key })
}

// run executes the plan: every match in scope is counted, the best heapCap are kept.
func (pl *plan) run() (total int, hits []hit) {
	s := pl.st
	groups := pl.split()
	workers := make([]*worker, len(groups))
	for i, g := range groups {
		workers[i] = &worker{pl: pl, segs: g, heap: hitHeap{s: s, cap: pl.heapCap}, curs: make([]int, pl.cursors)}
	}
	var bitmaps [][]uint64
	for _, t := range pl.byIdx {
		if t.mode == modeBitmap {
			t.present, t.at = getBitmap(s.n()), getBitmap(s.n())
			bitmaps = append(bitmaps, t.present, t.at)
		}
	}
	if len(workers) == 1 {
		workers[0].run()
	} else {
		var wg sync.WaitGroup
		for _, w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.run()
			}()
		}
		wg.Wait()
	}
	for _, b := range bitmaps {
		putBitmap(b)
	}
	for _, w := range workers {
		total += w.total
		hits = append(hits, w.heap.h...)
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if a.key != b.key {
			return cmp.Compare(a.key, b.key)
		}
		return s.cmpMembers(a.o, b.o)
	})
	return total, hits
}

// split divides the segments into two groups of about equal work when the query is
// large enough to be worth a second goroutine. The cut is on a multiple of 64 so that the
// two never write to the same bitmap word.
func (pl *plan) split() [][]seg {
	segs := pl.sc.segs
	work := func(sg seg) int {
		if pl.k == 0 || len(pl.driver.syls) > 1 {
			return int(sg.hi - sg.lo)
		}
		p := pl.st.post[pl.driver.syls[0]]
		return lowerBound(p, sg.hi<<posBits) - lowerBound(p, sg.lo<<posBits)
	}
	total := 0
	for _, sg := range segs {
		total += work(sg)
	}
	if total < parallelAbove || runtime.GOMAXPROCS(0) < 2 {
		return [][]seg{segs}
	}
	half := total / 2
	for i, sg := range segs {
		w := work(sg)
		if w <= half {
			half -= w
			continue
		}
		var cut uint32
		if pl.k == 0 || len(pl.driver.syls) > 1 {
			cut = sg.lo + uint32(half)
		} else {
			p := pl.st.post[pl.driver.syls[0]]
			cut = p[lowerBound(p, sg.lo<<posBits)+half] >> posBits
		}
		cut &^= 63
		var a, b []seg
		a = append(a, segs[:i]...)
		if cut > sg.lo {
			a = append(a, seg{sg.lo, cut, sg.check})
		}
		if cut < sg.lo {
			cut = sg.lo
		}
		if cut < sg.hi {
			b = append(b, seg{cut, sg.hi, sg.check})
		}
		b = append(b, segs[i+1:]...)
		if len(a) == 0 || len(b) == 0 {
			return [][]seg{segs}
		}
		// The first group's last word must not be shared with the second group's first.
		if a[len(a)-1].hi>>6 == b[0].lo>>6 && a[len(a)-1].hi&63 != 0 {
			return [][]seg{segs}
		}
		return [][]seg{a, b}
	}
	return [][]seg{segs}
}

var bitmapPool sync.Pool

// getBitmap returns a zeroed bitmap of at least n bits. Users clear what they set before
// putting it back.
func getBitmap(n uint32) []uint64 {
	words := int(n+63) / 64
	if b, ok := bitmapPool.Get().(*[]uint64); ok && cap(*b) >= words {
		return (*b)[:words]
	}
	return make([]uint64, words, words+words/8+1)
}

func putBitmap(b []uint64) { bitmapPool.Put(&b) }

type worker struct {
	pl    *plan
	segs  []seg
	heap  hitHeap
	total int
	curs  []int
}

func (w *worker) run() {
	pl, s := w.pl, w.pl.st
	for _, t := range pl.byIdx {
		if t.mode == modeBitmap {
			w.mark(t)
		}
	}
	if pl.k > 0 {
		for _, t := range pl.others {
			if t.mode == modeCursor && len(w.segs) > 0 {
				w.curs[t.slot] = lowerBound(s.post[t.syls[0]], w.segs[0].lo<<posBits)
			}
		}
	}
	for i := range w.segs {
		sg := &w.segs[i]
		switch {
		case pl.k == 0:
			for o := sg.lo; o < sg.hi; o++ {
				w.visit(o, 0, sg)
			}
		case pl.driver.mode != modeBitmap:
			d := pl.driver
			p := s.post[d.syls[0]]
			for j := lowerBound(p, sg.lo<<posBits); j < len(p); j++ {
				e := p[j]
				o := e >> posBits
				if o >= sg.hi {
					break
				}
				var at uint16
				if int(e&maxPos) == d.idx {
					at = 1 << d.idx
				}
				w.visit(o, at, sg)
			}
		default:
			d := pl.driver
			for wi := sg.lo >> 6; wi <= (sg.hi-1)>>6 && sg.lo < sg.hi; wi++ {
				word := d.present[wi]
				for word != 0 {
					b := uint32(bits.TrailingZeros64(word))
					word &= word - 1
					o := wi<<6 | b
					if o < sg.lo || o >= sg.hi {
						continue
					}
					var at uint16
					if d.at[wi]&(1<<b) != 0 {
						at = 1 << d.idx
					}
					w.visit(o, at, sg)
				}
			}
		}
	}
	for _, t := range pl.byIdx {
		if t.mode == modeBitmap {
			for _, sg := range w.segs {
				if sg.lo < sg.hi {
					clear(t.present[sg.lo>>6 : (sg.hi+63)>>6])
					clear(t.at[sg.lo>>6 : (sg.hi+63)>>6])
				}
			}
		}
	}
}

// mark sets the bitmaps of a multi-list term over this worker's segments.
func (w *worker) mark(t *term) {
	s := w.pl.st
	for _, f := range t.syls {
		if int(f) >= len(s.post) {
			continue
		}
		p := s.post[f]
		for _, sg := range w.segs {
			for j := lowerBound(p, sg.lo<<posBits); j < len(p); j++ {
				e := p[j]
				o := e >> posBits
				if o >= sg.hi {
					break
				}
				t.present[o>>6] |= 1 << (o & 63)
				if int(e&maxPos) == t.idx {
					t.at[o>>6] |= 1 << (o & 63)
				}
			}
		}
	}
}

// visit tests one candidate of the driver: alive, in scope, through the filters and
// matching every other term; at has bit i set when term i was found at position i.
func (w *worker) visit(o uint32, at uint16, sg *seg) {
	pl, s := w.pl, w.pl.st
	if s.alive[o>>6]&(1<<(o&63)) == 0 {
		return
	}
	if sg.check && !pl.sc.allows(s.units.pos[s.unit[o]]) {
		return
	}
	if pl.year != 0 && s.birth[o]>>9 != pl.year {
		return
	}
	if pl.status >= 0 && int(s.status[o]) != pl.status {
		return
	}
	info := s.nameInfo[o]
	if pl.k > 0 {
		if info&slowFlag != 0 {
			var ok bool
			if at, ok = w.matchSlow(o); !ok {
				return
			}
		} else {
			for _, t := range pl.others {
				switch t.mode {
				case modeCursor:
					p := s.post[t.syls[0]]
					c := gallop(p, w.curs[t.slot], o<<posBits)
					w.curs[t.slot] = c
					if c == len(p) || p[c]>>posBits != o {
						return
					}
					if int(p[c]&maxPos) == t.idx {
						at |= 1 << t.idx
					}
				case modeBitmap:
					if t.present[o>>6]&(1<<(o&63)) == 0 {
						return
					}
					if t.at[o>>6]&(1<<(o&63)) != 0 {
						at |= 1 << t.idx
					}
				default:
					found := false
					for j, id := range s.name(o) {
						if f := s.v.surf[id].fold; t.pset[f>>6]&(1<<(f&63)) != 0 {
							found = true
							if j == t.idx {
								at |= 1 << t.idx
							}
						}
					}
					if !found {
						return
					}
				}
			}
			// The checks above are necessary; when terms overlap they are not enough.
			if pl.slow {
				var ok bool
				if at, ok = w.matchSlow(o); !ok {
					return
				}
			}
		}
	}
	w.total++
	w.rank(o, at, info)
}

// matchSlow checks every term against the candidate's syllables, each term needing a
// syllable of its own.
func (w *worker) matchSlow(o uint32) (at uint16, ok bool) {
	pl, s := w.pl, w.pl.st
	nm := s.name(o)
	for _, t := range pl.byIdx {
		if t.idx < len(nm) && t.inSet(s.v.surf[nm[t.idx]].fold) {
			at |= 1 << t.idx
		}
	}
	var match [MaxSyllables]int
	return at, assign(pl.k, len(nm), func(i, j int) bool { return pl.byIdx[i].inSet(s.v.surf[nm[j]].fold) }, match[:])
}

// assign gives each of k query terms a distinct syllable of an n-syllable name, where
// ok(i, j) says whether term i accepts syllable j, and reports whether it could. Term i
// is offered syllable i first, then the others in order (augmenting paths: the answer
// does not depend on the order, the assignment does, deterministically).
func assign(k, n int, ok func(i, j int) bool, match []int) bool {
	n = min(n, 64)
	var owner [64]int8
	for j := range n {
		owner[j] = -1
	}
	var try func(i int, seen *uint64) bool
	try = func(i int, seen *uint64) bool {
		for jj := -1; jj < n; jj++ {
			j := jj
			if jj < 0 {
				j = i
			} else if jj == i {
				continue
			}
			if j >= n || *seen&(1<<j) != 0 || !ok(i, j) {
				continue
			}
			*seen |= 1 << j
			if owner[j] < 0 || try(int(owner[j]), seen) {
				owner[j] = int8(i)
				match[i] = j
				return true
			}
		}
		return false
	}
	for i := range k {
		var seen uint64
		if !try(i, &seen) {
			return false
		}
	}
	return true
}

// rank files a match into the worker's heap, reading its syllables only when it can
// enter the heap at all.
func (w *worker) rank(o uint32, at uint16, info uint8) {
	pl, s := w.pl, w.pl.st
	full := uint16(1)<<pl.k - 1
	var r uint64
	switch {
	case pl.k == 0:
		r = rankFilter
	case pl.fuzzy:
		r = rankFuzzy
	case at == full && int(info&lenMask) == pl.k:
		r = rankExact // or exact-folded or prefix: decided below
	case at == full:
		r = rankPrefix
	default:
		r = rankWords
	}
	key := r<<40 | uint64(s.sortKey[o])
	if !w.heap.mayEnter(key) {
		return
	}
	if r == rankExact {
		r = pl.exactness(o)
	}
	var sub uint64
	if pl.diacritics && r > rankExact && r < rankFuzzy {
		sub = pl.mismatches(o)
	}
	w.heap.push(r<<40|sub<<32|uint64(s.sortKey[o]), o)
}

// exactness tells apart, for a name with the query's syllables at the query's positions
// and nothing more: the same name, the same once folded, or a longer last syllable.
func (pl *plan) exactness(o uint32) uint64 {
	s := pl.st
	nm := s.name(o)
	for i, t := range pl.byIdx {
		if int32(s.v.surf[nm[i]].fold) != t.exact {
			return rankPrefix
		}
	}
	for i, t := range pl.byIdx {
		if s.v.canon[s.v.surf[nm[i]].canon].s != t.q.canon {
			return rankExactFolded
		}
	}
	return rankExact
}

// mismatches counts the query syllables whose diacritics the name's syllable assigned to
// them does not have.
func (pl *plan) mismatches(o uint32) uint64 {
	s := pl.st
	nm := s.name(o)
	var match [MaxSyllables]int
	if !assign(pl.k, len(nm), func(i, j int) bool { return pl.byIdx[i].inSet(s.v.surf[nm[j]].fold) }, match[:]) {
		return 0 // not reached: the candidate matched
	}
	var n uint64
	for i, t := range pl.byIdx {
		if t.q.diacritics() && !agrees(t.q, &s.v.canon[s.v.surf[nm[match[i]]].canon], t.prefix) {
			n++
		}
	}
	return n
}

// hit is a match in a heap: its sort key and ordinal.
type hit struct {
	key uint64
	o   uint32
}

// hitHeap keeps the best cap hits; the worst sits on top.
type hitHeap struct {
	s   *state
	h   []hit
	cap int
}

func (h *hitHeap) less(a, b hit) bool {
	if a.key != b.key {
		return a.key < b.key
	}
	return h.s.cmpMembers(a.o, b.o) < 0
}

// mayEnter reports whether a hit with this key could enter the heap. Keys of base members
// never tie; a tie with an appended member is settled by push.
func (h *hitHeap) mayEnter(key uint64) bool { return len(h.h) < h.cap || key <= h.h[0].key }

func (h *hitHeap) push(key uint64, o uint32) {
	x := hit{key, o}
	if len(h.h) < h.cap {
		h.h = append(h.h, x)
		for i := len(h.h) - 1; i > 0; {
			parent := (i - 1) / 2
			if !h.less(h.h[parent], h.h[i]) {
				break
			}
			h.h[parent], h.h[i] = h.h[i], h.h[parent]
			i = parent
		}
		return
	}
	if !h.less(x, h.h[0]) {
		return
	}
	h.h[0] = x
	for i := 0; ; {
		l, r, big := 2*i+1, 2*i+2, i
		if l < len(h.h) && h.less(h.h[big], h.h[l]) {
			big = l
		}
		if r < len(h.h) && h.less(h.h[big], h.h[r]) {
			big = r
		}
		if big == i {
			return
		}
		h.h[i], h.h[big] = h.h[big], h.h[i]
		i = big
	}
}

// neighbors returns the folded syllables within one typo of f: one letter inserted,
// deleted, replaced, or two adjacent letters swapped.
func (v *vocab) neighbors(f string) []uint32 {
	var out []uint32
	for id, w := range v.fold {
		if within1(f, w) {
			out = append(out, uint32(id))
		}
	}
	return out
}

func within1(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if i == len(a) {
		return true // equal, or b has one more letter at the end
	}
	if len(a) < len(b) {
		return a[i:] == b[i+1:]
	}
	if a[i+1:] == b[i+1:] {
		return true
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
}
