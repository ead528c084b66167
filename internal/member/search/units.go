package search

import (
	"slices"
	"sort"
	"strings"

	"dais/internal/store"
)

// units is the organization tree as the index sees it: every unit by a stable index
// (append-only), numbered in depth-first order by sorting the materialized paths
// ("/id/id/…/"): a unit's subtree is then one range of positions.
type units struct {
	id, code, path []string
	byID           map[string]uint32
	byCode         map[string]uint32

	sorted []uint32 // unit indexes in path order (current tree)
	pos    []uint32 // unit index → its position in sorted

	// The tree as the last full build saw it. Base ordinals are laid out in this order, so
	// base members of a subtree are the ordinals baseFirst[lo]..baseFirst[hi] for the
	// subtree's positions [lo, hi) among basePaths — as long as no unit of that build has
	// moved since (stale).
	basePaths []string
	baseFirst []uint32
	baseUnits int // units [0, baseUnits) existed at the build
	stale     bool
}

type unitRow struct{ id, code, path string }

func newUnits() units { return units{byID: map[string]uint32{}, byCode: map[string]uint32{}} }

// set adds or updates a unit and reports whether a unit of the last build changed path.
func (u *units) set(r unitRow) (moved bool) {
	if i, ok := u.byID[r.id]; ok {
		if u.code[i] != r.code {
			if u.byCode[u.code[i]] == i {
				delete(u.byCode, u.code[i])
			}
			u.code[i] = r.code
			u.byCode[r.code] = i
		}
		if u.path[i] != r.path {
			u.path[i] = r.path
			return int(i) < u.baseUnits
		}
		return false
	}
	i := uint32(len(u.id))
	u.id = append(u.id, r.id)
	u.code = append(u.code, r.code)
	u.path = append(u.path, r.path)
	u.byID[r.id] = i
	u.byCode[r.code] = i
	return false
}

// order recomputes the depth-first positions after units were added or moved.
func (u *units) order() {
	u.sorted = make([]uint32, len(u.id))
	for i := range u.sorted {
		u.sorted[i] = uint32(i)
	}
	slices.SortFunc(u.sorted, func(a, b uint32) int { return strings.Compare(u.path[a], u.path[b]) })
	u.pos = make([]uint32, len(u.id))
	for p, i := range u.sorted {
		u.pos[i] = uint32(p)
	}
}

// subtree returns the range of current positions of the units under path (inclusive).
func (u *units) subtree(path string) (lo, hi uint32) {
	l := sort.Search(len(u.sorted), func(i int) bool { return u.path[u.sorted[i]] >= path })
	h := l + sort.Search(len(u.sorted)-l, func(i int) bool {
		p := u.path[u.sorted[l+i]]
		return p > path && !strings.HasPrefix(p, path)
	})
	return uint32(l), uint32(h)
}

// baseOrds returns the base ordinals of the members under path, by the build's layout.
func (u *units) baseOrds(path string) (lo, hi uint32) {
	l := sort.SearchStrings(u.basePaths, path)
	h := l + sort.Search(len(u.basePaths)-l, func(i int) bool {
		p := u.basePaths[l+i]
		return p > path && !strings.HasPrefix(p, path)
	})
	return u.baseFirst[l], u.baseFirst[h]
}

// seg is a range of ordinals to scan; check: each member's unit must be tested against
// the scope (members appended since the build, or all of them once the tree moved).
type seg struct {
	lo, hi uint32
	check  bool
}

// scope is what one query may see.
type scope struct {
	all  bool        // every unit: no unit test at all
	cur  [][2]uint32 // allowed ranges of current unit positions
	segs []seg
}

func (sc *scope) allows(pos uint32) bool {
	for _, r := range sc.cur {
		if pos >= r[0] && pos < r[1] {
			return true
		}
	}
	return false
}

// scopeFor intersects the caller's member.read subtrees with the unit filter (a path, or
// "") and lays the result out as segments of ordinals. An empty scope has no segments.
func (s *state) scopeFor(p *store.Principal, unitPath string) scope {
	var sc scope
	paths := p.Paths(store.PermMemberRead)
	if unitPath != "" {
		var kept []string
		// The roots do not nest: either the filter lies inside one of them, or some of
		// them lie inside the filter.
		for _, root := range paths {
			if strings.HasPrefix(unitPath, root) {
				kept = []string{unitPath}
				break
			}
			if strings.HasPrefix(root, unitPath) {
				kept = append(kept, root)
			}
		}
		paths = kept
	}
	covered := uint32(0)
	for _, path := range paths {
		lo, hi := s.units.subtree(path)
		if lo < hi {
			sc.cur = append(sc.cur, [2]uint32{lo, hi})
			covered += hi - lo
		}
	}
	n := s.n()
	switch {
	case len(sc.cur) == 0:
		return scope{}
	case covered == uint32(len(s.units.id)):
		sc.all = true
		sc.segs = []seg{{0, n, false}}
	case s.units.stale:
		sc.segs = []seg{{0, n, true}}
	default:
		for _, path := range paths {
			if lo, hi := s.units.baseOrds(path); lo < hi {
				sc.segs = append(sc.segs, seg{lo, hi, false})
			}
		}
		if s.base < n {
			sc.segs = append(sc.segs, seg{s.base, n, true})
		}
	}
	return sc
}
