package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"dais/internal/store"
)

const memberCols = `m.id, m.unit_id, m.full_name, m.birth_date, m.card_number, m.status`

func scanRow(rows *sql.Rows, r *row) error {
	if err := rows.Scan(&r.id, &r.unitID, &r.fullName, &r.birthDate, &r.card, &r.status); err != nil {
		return fmt.Errorf("scan member: %w", err)
	}
	r.fullName = validUTF8(r.fullName)
	return nil
}

// marks reads where the store stands: the audit log's head, the newest updated_at of a
// member, and the number of units.
func marks(ctx context.Context, q store.Querier) (seq int64, updated time.Time, nunits int, err error) {
	if err = q.QueryRowContext(ctx, `SELECT seq FROM audit_head WHERE id = 1`).Scan(&seq); err != nil {
		return 0, time.Time{}, 0, fmt.Errorf("read audit head: %w", err)
	}
	// ORDER BY … LIMIT 1 rather than MAX(): it uses the index and keeps the column's type.
	err = q.QueryRowContext(ctx, `SELECT updated_at FROM members ORDER BY updated_at DESC LIMIT 1`).Scan(&updated)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, 0, fmt.Errorf("read newest member change: %w", err)
	}
	if err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM units`).Scan(&nunits); err != nil {
		return 0, time.Time{}, 0, fmt.Errorf("count units: %w", err)
	}
	return seq, updated, nunits, nil
}

func loadUnits(ctx context.Context, q store.Querier) ([]unitRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, code, path FROM units`)
	if err != nil {
		return nil, fmt.Errorf("read units: %w", err)
	}
	defer rows.Close()
	var out []unitRow
	for rows.Next() {
		var u unitRow
		if err := rows.Scan(&u.id, &u.code, &u.path); err != nil {
			return nil, fmt.Errorf("scan unit: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// load builds a generation from a full scan of the store.
func load(ctx context.Context, db *store.DB) (*state, error) {
	r := db.R()
	// The marks are read first: whatever commits during the scan is read again by the
	// next refresh.
	seq, updated, nunits, err := marks(ctx, r)
	if err != nil {
		return nil, err
	}
	urows, err := loadUnits(ctx, r)
	if err != nil {
		return nil, err
	}
	// Scan into a scratch generation in the store's order, then lay the members out in
	// the depth-first order of their units.
	tmp := newState()
	for _, u := range urows {
		tmp.units.set(u)
	}
	rows, err := r.QueryContext(ctx, `SELECT `+memberCols+` FROM members m`)
	if err != nil {
		return nil, fmt.Errorf("read members: %w", err)
	}
	var rw row
	var buf []uint32
	for rows.Next() {
		if err := scanRow(rows, &rw); err != nil {
			rows.Close()
			return nil, err
		}
		u, ok := tmp.units.byID[rw.unitID]
		if !ok {
			continue // a unit created after the units were read: the next refresh adds both
		}
		pn := tmp.v.parseName(rw.fullName, buf)
		buf = pn.syl
		tmp.appendColumns(&rw, u, pn)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, fmt.Errorf("read members: %w", err)
	}
	rows.Close()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st := tmp.layOut()
	st.seq, st.updated, st.unitCount = seq, updated, nunits
	return st, nil
}

// appendColumns appends a member's columns at the next ordinal and returns it: all a
// build's scratch generation needs; appendMember adds postings and liveness on top.
func (s *state) appendColumns(r *row, unitIdx uint32, pn parsedName) uint32 {
	o := s.n()
	var ex extra
	id, ok := parseUUID(r.id)
	if !ok {
		ex.id = r.id
	}
	s.ids = append(s.ids, id)
	s.names = append(s.names, pn.syl...)
	s.nameOff = append(s.nameOff, uint32(len(s.names)))
	if pn.alt {
		ex.name = r.fullName
	}
	s.unit = append(s.unit, unitIdx)
	b, ok := parseDate(r.birthDate)
	if !ok {
		ex.birth = r.birthDate
	}
	s.birth = append(s.birth, b)
	s.status = append(s.status, s.statusID(r.status))
	c, cl := parseCard(r.card)
	if cl == 0 {
		ex.card = r.card
	}
	s.card = append(s.card, c)
	s.cardLen = append(s.cardLen, cl)
	if ex != (extra{}) {
		s.extras[o] = &ex
	}
	return o
}

// layOut turns a scratch generation into a searchable one: members ordered by the
// depth-first position of their unit, postings, name order and the ID index.
func (tmp *state) layOut() *state {
	tmp.units.order()
	n := tmp.n()
	nu := len(tmp.units.id)
	// Counting sort by unit position.
	first := make([]uint32, nu+1)
	for _, u := range tmp.unit {
		first[tmp.units.pos[u]+1]++
	}
	for i := 1; i <= nu; i++ {
		first[i] += first[i-1]
	}
	perm := make([]uint32, n) // new ordinal → scratch ordinal
	next := slices.Clone(first[:nu])
	for o, u := range tmp.unit {
		p := tmp.units.pos[u]
		perm[next[p]] = uint32(o)
		next[p]++
	}

	st := &state{v: tmp.v, units: tmp.units, extras: map[uint32]*extra{}, otherIDs: map[string]uint32{},
		delta: map[string]uint32{}, statuses: tmp.statuses, statusBy: tmp.statusBy}
	st.ids = make([][16]byte, n)
	st.nameOff = make([]uint32, n+1)
	st.names = make([]uint32, len(tmp.names))
	st.nameInfo = make([]uint8, n)
	st.unit = make([]uint32, n)
	st.birth = make([]uint32, n)
	st.status = make([]uint8, n)
	st.card = make([]uint64, n)
	st.cardLen = make([]uint8, n)
	st.sortKey = make([]uint32, n)
	st.alive = make([]uint64, (n+63)/64)
	counts := make([]uint32, len(st.v.fold))
	off := uint32(0)
	for o, t := range perm {
		st.ids[o] = tmp.ids[t]
		nm := tmp.name(t)
		copy(st.names[off:], nm)
		off += uint32(len(nm))
		st.nameOff[o+1] = off
		st.unit[o] = tmp.unit[t]
		st.birth[o] = tmp.birth[t]
		st.status[o] = tmp.status[t]
		st.card[o] = tmp.card[t]
		st.cardLen[o] = tmp.cardLen[t]
		if e := tmp.extras[t]; e != nil {
			st.extras[uint32(o)] = e
		}
		st.alive[o>>6] |= 1 << (o & 63)
		for i, id := range nm {
			if firstFold(st.v.surf, nm, i) {
				counts[st.v.surf[id].fold]++
			}
		}
	}

	st.post = make([][]uint32, len(st.v.fold))
	for f, c := range counts {
		// A little room to append to without copying at once.
		st.post[f] = make([]uint32, 0, c+c/64+4)
	}
	for o := uint32(0); o < n; o++ {
		st.nameInfo[o] = st.postName(o, st.name(o))
	}

	st.v.rank()
	order := make([]uint32, n)
	for i := range order {
		order[i] = uint32(i)
	}
	// Sort by a key of the first syllables' folded ranks (three of 21 bits, or two of 32
	// for a vocabulary that large); compare whole names only when the keys tie.
	per, width := 3, 21
	if len(st.v.fold) >= 1<<21-1 {
		per, width = 2, 32
	}
	keys := make([]uint64, n)
	for o := range keys {
		nm := st.name(uint32(o))
		var k uint64
		for i := 0; i < per; i++ {
			k <<= width
			if i < len(nm) {
				k |= uint64(st.v.foldRank[st.v.surf[nm[i]].fold]) + 1
			}
		}
		keys[o] = k
	}
	slices.SortFunc(order, func(a, b uint32) int {
		if keys[a] != keys[b] {
			if keys[a] < keys[b] {
				return -1
			}
			return 1
		}
		return st.cmpMembers(a, b)
	})
	for i, o := range order {
		st.sortKey[o] = uint32(i)
	}
	st.byName = order
	order = make([]uint32, 0, n)
	for o := uint32(0); o < n; o++ {
		if e := st.extras[o]; e != nil && e.id != "" {
			st.otherIDs[e.id] = o
			continue
		}
		order = append(order, o)
	}
	slices.SortFunc(order, func(a, b uint32) int { return compareIDs(st.ids[a], st.ids[b]) })
	st.byID = order

	st.base = n
	st.units.baseUnits = len(st.units.id)
	st.units.basePaths = make([]string, len(st.units.sorted))
	st.units.baseFirst = make([]uint32, len(st.units.sorted)+1)
	for p, u := range st.units.sorted {
		st.units.basePaths[p] = st.units.path[u]
		st.units.baseFirst[p] = first[p]
	}
	st.units.baseFirst[len(st.units.sorted)] = n
	st.units.stale = false
	return st
}

func firstFold(surf []surfSyl, nm []uint32, i int) bool {
	f := surf[nm[i]].fold
	for _, prev := range nm[:i] {
		if surf[prev].fold == f {
			return false
		}
	}
	return true
}

// Refresh brings the index up to date with the store: members whose updated_at is newer
// than the last one seen (less Overlap, and less again to the start of the transactions
// that committed since, by the audit log), units that changed (reloaded; the members of
// units named in the audit log are read again, which catches members moved by a merge or
// split without an updated_at of their own). It does nothing when neither the audit log,
// the newest updated_at nor the number of units moved.
func (x *Index) Refresh(ctx context.Context) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	st := x.cur.Load()
	r := x.db.R()
	seq, updated, nunits, err := marks(ctx, r)
	if err != nil {
		return err
	}
	st.mu.RLock()
	lastSeq, lastUpdated, lastUnits := st.seq, st.updated, st.unitCount
	st.mu.RUnlock()
	if seq == lastSeq && updated.Equal(lastUpdated) && nunits == lastUnits {
		return nil
	}
	from := lastUpdated
	var unitIDs []string
	if seq > lastSeq {
		var at time.Time
		err := r.QueryRowContext(ctx, `SELECT at FROM audit_log WHERE seq > ? ORDER BY seq LIMIT 1`, lastSeq).Scan(&at)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read audit log: %w", err)
		}
		if err == nil && at.Before(from) {
			from = at
		}
		rows, err := r.QueryContext(ctx, `SELECT DISTINCT object_id FROM audit_log WHERE seq > ? AND seq <= ? AND object_type = 'unit'`, lastSeq, seq)
		if err != nil {
			return fmt.Errorf("read audit log: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("scan audit log: %w", err)
			}
			unitIDs = append(unitIDs, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read audit log: %w", err)
		}
	}
	var urows []unitRow
	if len(unitIDs) > 0 || nunits != lastUnits {
		if urows, err = loadUnits(ctx, r); err != nil {
			return err
		}
	}

	// Members to read again: changed since `from`, in a unit named in the audit log, or
	// held by the index under such a unit.
	var changed []row
	read := func(q string, args ...any) error {
		rows, err := r.QueryContext(ctx, `SELECT `+memberCols+` FROM members m WHERE `+q, args...)
		if err != nil {
			return fmt.Errorf("read changed members: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var rw row
			if err := scanRow(rows, &rw); err != nil {
				return err
			}
			changed = append(changed, rw)
		}
		return rows.Err()
	}
	if !from.IsZero() {
		if err := read(`m.updated_at > ?`, from.Add(-x.Overlap)); err != nil {
			return err
		}
	} else if err := read(`1=1`); err != nil { // the index was built from an empty store
		return err
	}
	if len(unitIDs) > 0 {
		st.mu.RLock()
		ids := st.membersOfUnits(unitIDs)
		st.mu.RUnlock()
		for chunk := range slices.Chunk(unitIDs, 500) {
			if err := read(`m.unit_id IN (`+placeholders(len(chunk))+`)`, toAny(chunk)...); err != nil {
				return err
			}
		}
		for chunk := range slices.Chunk(ids, 500) {
			if err := read(`m.id IN (`+placeholders(len(chunk))+`)`, toAny(chunk)...); err != nil {
				return err
			}
		}
	}

	st.mu.Lock()
	defer st.mu.Unlock()
	if urows != nil {
		for _, u := range urows {
			if st.units.set(u) {
				st.units.stale = true
			}
		}
		st.units.order()
	}
	st.apply(changed)
	st.seq, st.updated, st.unitCount = seq, updated, nunits
	return nil
}

// membersOfUnits returns the IDs of the live members the index holds in the given units.
func (s *state) membersOfUnits(unitIDs []string) []string {
	mark := make([]bool, len(s.units.id))
	marked := false
	for _, id := range unitIDs {
		if u, ok := s.units.byID[id]; ok {
			mark[u] = true
			marked = true
		}
	}
	if !marked {
		return nil
	}
	var out []string
	for o, u := range s.unit {
		if mark[u] && s.isAlive(uint32(o)) {
			out = append(out, s.idString(uint32(o)))
		}
	}
	return out
}

// apply writes changed member rows into the generation: in place when only the birth
// date, status or card number changed; otherwise the old ordinal dies and the member is
// appended (its name's postings or its unit's range changed).
func (s *state) apply(rows []row) {
	parsed := make([]parsedName, len(rows))
	for i := range rows {
		parsed[i] = s.v.parseName(rows[i].fullName, nil)
	}
	s.v.rank() // sort keys of appended names need the new syllables ranked
	for i := range rows {
		r, pn := &rows[i], parsed[i]
		u, ok := s.units.byID[r.unitID]
		if !ok {
			continue // its unit is not loaded yet: the next refresh (unit count changed) adds it
		}
		if o, ok := s.lookup(r.id); ok {
			e := s.extras[o]
			sameAlt := (e == nil || e.name == "") == !pn.alt && (!pn.alt || e.name == r.fullName)
			if s.unit[o] == u && slices.Equal(s.name(o), pn.syl) && sameAlt {
				s.updateInPlace(o, r)
				continue
			}
			s.kill(o)
		}
		if s.n() >= maxOrd {
			continue // four hundred million appends without a rebuild: refuse quietly rather than wrap
		}
		o := s.appendMember(r, u, pn)
		s.sortKey[o] = s.sortKeyFor(o)
		s.delta[strings.Clone(r.id)] = o
	}
}

func (s *state) updateInPlace(o uint32, r *row) {
	ex := s.extras[o]
	if ex == nil {
		ex = &extra{}
	}
	b, ok := parseDate(r.birthDate)
	ex.birth = ""
	if !ok {
		ex.birth = r.birthDate
	}
	s.birth[o] = b
	s.status[o] = s.statusID(r.status)
	c, cl := parseCard(r.card)
	ex.card = ""
	if cl == 0 {
		ex.card = r.card
	}
	s.card[o], s.cardLen[o] = c, cl
	if *ex == (extra{}) {
		delete(s.extras, o)
	} else {
		s.extras[o] = ex
	}
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
