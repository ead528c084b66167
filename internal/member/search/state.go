package search

import (
	"bytes"
	"cmp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"dais/internal/vntext"
)

// A member's place in the index is its ordinal. Ordinals below state.base were assigned
// by the last full build, in the depth-first order of the members' units (so a unit's
// subtree is one range of ordinals); members added or changed since are appended after
// it, and the old ordinal of a changed member is marked dead.
//
// Posting lists hold ord<<posBits | position: the member's ordinal and the position in
// its name of the syllable's first occurrence (capped at maxPos).
const (
	posBits = 3
	maxPos  = 1<<posBits - 1
	maxOrd  = 1<<(32-posBits) - 1

	// nameInfo: the low six bits are the number of syllables (capped at 63); slowFlag marks
	// names whose postings cannot answer position questions (a folded syllable that
	// repeats, or more than maxPos syllables), which are checked syllable by syllable.
	lenMask  = 0x3f
	slowFlag = 0x80
)

// vocab holds the syllables of every name, at three levels: as written (surface: "Hoà",
// "HÒA"), canonical (lower case, one tone placement: "hòa") and folded (no diacritics:
// "hoa"). Names are stored as surface IDs; the other levels are reached through small
// tables.
type vocab struct {
	surf      []surfSyl
	surfByStr map[string]uint32
	canon     []canonSyl
	canonBy   map[string]uint32
	fold      []string
	foldBy    map[string]uint32

	// Derived, rebuilt by rank when the vocabulary grew: the order of names (folded first,
	// then canonical, then as written) and the folded syllables in byte order for prefix
	// look-ups.
	foldRank   []uint32
	surfRank   []uint32
	foldSorted []uint32
	ranked     int // len(surf) when the ranks were computed
}

type surfSyl struct {
	s     string
	canon uint32
	fold  uint32
}

type canonSyl struct {
	s        string
	toneless string // lower case, quality marks kept, tone removed: "nguyên"
	tone     vntext.Tone
	fold     uint32
}

func newVocab() vocab {
	return vocab{surfByStr: map[string]uint32{}, canonBy: map[string]uint32{}, foldBy: map[string]uint32{}}
}

// surface returns the ID of the written syllable w (one word: letters and marks only),
// adding it and its canonical and folded forms when new.
func (v *vocab) surface(w string) uint32 {
	if id, ok := v.surfByStr[w]; ok {
		return id
	}
	c := strings.ToLower(vntext.Canon(w))
	cid, ok := v.canonBy[c]
	if !ok {
		f := vntext.Fold(c)
		fid, ok := v.foldBy[f]
		if !ok {
			fid = uint32(len(v.fold))
			v.fold = append(v.fold, f)
			v.foldBy[f] = fid
		}
		toneless, tone := vntext.SplitTone(c)
		cid = uint32(len(v.canon))
		v.canon = append(v.canon, canonSyl{s: c, toneless: toneless, tone: tone, fold: fid})
		v.canonBy[c] = cid
	}
	id := uint32(len(v.surf))
	w = strings.Clone(w) // do not keep a whole row's buffer alive
	v.surf = append(v.surf, surfSyl{s: w, canon: cid, fold: v.canon[cid].fold})
	v.surfByStr[w] = id
	return id
}

// rank recomputes the orders after the vocabulary grew. Adding syllables never changes
// the relative order of the old ones, so sort keys computed before stay consistent.
func (v *vocab) rank() {
	if v.ranked == len(v.surf) && len(v.foldRank) == len(v.fold) {
		return
	}
	v.foldSorted = make([]uint32, len(v.fold))
	for i := range v.foldSorted {
		v.foldSorted[i] = uint32(i)
	}
	slices.SortFunc(v.foldSorted, func(a, b uint32) int { return strings.Compare(v.fold[a], v.fold[b]) })
	v.foldRank = make([]uint32, len(v.fold))
	for r, id := range v.foldSorted {
		v.foldRank[id] = uint32(r)
	}
	order := make([]uint32, len(v.surf))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int {
		sa, sb := &v.surf[a], &v.surf[b]
		return cmp.Or(cmp.Compare(v.foldRank[sa.fold], v.foldRank[sb.fold]),
			strings.Compare(v.canon[sa.canon].s, v.canon[sb.canon].s), strings.Compare(sa.s, sb.s))
	})
	v.surfRank = make([]uint32, len(v.surf))
	for r, id := range order {
		v.surfRank[id] = uint32(r)
	}
	v.ranked = len(v.surf)
}

// foldPrefix returns the folded syllable IDs that start with p.
func (v *vocab) foldPrefix(p string) []uint32 {
	lo, _ := slices.BinarySearchFunc(v.foldSorted, p, func(id uint32, p string) int { return strings.Compare(v.fold[id], p) })
	hi := lo
	for hi < len(v.foldSorted) && strings.HasPrefix(v.fold[v.foldSorted[hi]], p) {
		hi++
	}
	return v.foldSorted[lo:hi]
}

// extra holds the rare values that do not fit the compact columns.
type extra struct {
	id    string // not a lower-case UUID
	name  string // not its syllables joined by single spaces
	card  string // not 1–19 digits
	birth string // not YYYY-MM-DD
}

// state is one generation of the index: built by a full scan, then kept fresh by
// incremental refreshes until the next full build replaces it.
type state struct {
	mu sync.RWMutex // readers: searches; writer: a refresh applying its changes

	v     vocab
	units units

	// Columns, indexed by ordinal.
	ids      [][16]byte
	nameOff  []uint32 // name of ord o: names[nameOff[o]:nameOff[o+1]]
	names    []uint32 // surface syllable IDs
	nameInfo []uint8
	unit     []uint32 // unit index
	birth    []uint32 // year<<9 | month<<5 | day; 0 when unknown
	status   []uint8
	card     []uint64
	cardLen  []uint8 // digits of card[o] (leading zeros kept); 0: see extras
	sortKey  []uint32
	alive    []uint64 // bitset
	extras   map[uint32]*extra

	post [][]uint32 // per folded syllable

	base     uint32            // ordinals [0, base) come from the last full build
	byID     []uint32          // base ordinals of UUID-keyed members, sorted by ID
	otherIDs map[string]uint32 // base ordinals of members whose ID is not a UUID
	delta    map[string]uint32 // member ID → ordinal, for members appended since the build
	byName   []uint32          // base ordinals in hit order (name, card number): sortKey's inverse
	dead     int

	statuses []string
	statusBy map[string]uint8

	// Refresh marks: the audit log head and the newest updated_at seen, and the number of
	// units, when this state was last brought up to date.
	seq       int64
	updated   time.Time
	unitCount int
}

func newState() *state {
	return &state{v: newVocab(), units: newUnits(), extras: map[uint32]*extra{}, otherIDs: map[string]uint32{},
		delta: map[string]uint32{}, statusBy: map[string]uint8{}, nameOff: []uint32{0}}
}

func (s *state) n() uint32 { return uint32(len(s.unit)) }

func (s *state) isAlive(o uint32) bool { return s.alive[o>>6]&(1<<(o&63)) != 0 }

func (s *state) kill(o uint32) {
	if s.isAlive(o) {
		s.alive[o>>6] &^= 1 << (o & 63)
		s.dead++
	}
}

func (s *state) name(o uint32) []uint32 { return s.names[s.nameOff[o]:s.nameOff[o+1]] }

// row is a member as read from the store.
type row struct {
	id, unitID, fullName, birthDate, card, status string
}

// parsedName is a full name split into surface syllable IDs; alt is set when joining
// them with single spaces does not give the name back.
type parsedName struct {
	syl []uint32
	alt bool
}

// parseName splits a full name into syllables. The common case — words of letters
// separated by single spaces — takes one map look-up per word.
func (v *vocab) parseName(full string, dst []uint32) parsedName {
	p := parsedName{syl: dst[:0]}
	start := 0
	for i := 0; i <= len(full); i++ {
		if i < len(full) && full[i] != ' ' {
			continue
		}
		w := full[start:i]
		start = i + 1
		if id, ok := v.surfByStr[w]; ok {
			p.syl = append(p.syl, id)
			continue
		}
		if w != "" && isWord(w) {
			p.syl = append(p.syl, v.surface(w))
			continue
		}
		// Empty (double space) or with other characters ("H'Hen", "Lê-Văn"): split the way
		// Fold does and keep the written name aside.
		p.alt = true
		for _, sw := range vntext.Syllables(w) {
			if isWord(sw) {
				p.syl = append(p.syl, v.surface(sw))
			}
		}
	}
	return p
}

// isWord reports whether w is all letters (and combining marks): one syllable.
func isWord(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) {
			return false
		}
	}
	return w != ""
}

func (s *state) statusID(st string) uint8 {
	if id, ok := s.statusBy[st]; ok {
		return id
	}
	if len(s.statuses) == 255 {
		return 255 // an absurd number of statuses: lump the rest together
	}
	id := uint8(len(s.statuses))
	s.statuses = append(s.statuses, st)
	s.statusBy[st] = id
	return id
}

// appendMember adds a member at the next ordinal (columns and postings) and returns it.
// The sort key is left to the caller (build: after sorting; refresh: sortKeyFor).
func (s *state) appendMember(r *row, unitIdx uint32, pn parsedName) uint32 {
	o := s.appendColumns(r, unitIdx, pn)
	s.nameInfo = append(s.nameInfo, s.postName(o, pn.syl))
	s.sortKey = append(s.sortKey, 0)
	if int(o>>6) >= len(s.alive) {
		s.alive = append(s.alive, 0)
	}
	s.alive[o>>6] |= 1 << (o & 63)
	return o
}

// postName appends o to the posting lists of its name's folded syllables and returns its
// nameInfo byte.
func (s *state) postName(o uint32, syl []uint32) uint8 {
	info := uint8(min(len(syl), lenMask))
	if len(syl) > maxPos {
		info |= slowFlag
	}
	for i, id := range syl {
		f := s.v.surf[id].fold
		first := true
		for _, prev := range syl[:i] {
			if s.v.surf[prev].fold == f {
				first = false
				break
			}
		}
		if !first {
			info |= slowFlag
			continue
		}
		for int(f) >= len(s.post) {
			s.post = append(s.post, nil)
		}
		s.post[f] = append(s.post[f], o<<posBits|uint32(min(i, maxPos)))
	}
	return info
}

// cmpNames orders two names: by folded syllables, then as written; then by length.
func (s *state) cmpNames(a, b []uint32) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := cmp.Compare(s.v.foldRank[s.v.surf[a[i]].fold], s.v.foldRank[s.v.surf[b[i]].fold]); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(len(a), len(b)); c != 0 {
		return c
	}
	for i := range a {
		if c := cmp.Compare(s.v.surfRank[a[i]], s.v.surfRank[b[i]]); c != 0 {
			return c
		}
	}
	return 0
}

// cmpMembers is the order of hits of equal rank: name, then card number, then ordinal.
func (s *state) cmpMembers(a, b uint32) int {
	if c := s.cmpNames(s.name(a), s.name(b)); c != 0 {
		return c
	}
	if s.cardLen[a] == s.cardLen[b] && s.cardLen[a] != 0 {
		if c := cmp.Compare(s.card[a], s.card[b]); c != 0 {
			return c // same number of digits: numeric order is string order
		}
	} else {
		var ba, bb [20]byte
		if c := bytes.Compare(s.cardBytes(a, &ba), s.cardBytes(b, &bb)); c != 0 {
			return c
		}
	}
	return cmp.Compare(a, b)
}

// sortKeyFor gives a member appended after the build the position among the base
// members where it would sort: equal to the key of the first base member after it, a tie
// the full comparison breaks. (Base members' keys are their positions, all distinct.)
func (s *state) sortKeyFor(o uint32) uint32 {
	i, _ := slices.BinarySearchFunc(s.byName, o, func(b, o uint32) int { return s.cmpMembers(b, o) })
	return uint32(i)
}

// Display values.

func (s *state) idString(o uint32) string {
	if e := s.extras[o]; e != nil && e.id != "" {
		return e.id
	}
	return formatUUID(s.ids[o])
}

func (s *state) fullName(o uint32) string {
	if e := s.extras[o]; e != nil && e.name != "" {
		return e.name
	}
	var b strings.Builder
	for i, id := range s.name(o) {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s.v.surf[id].s)
	}
	return b.String()
}

func (s *state) cardString(o uint32) string {
	var b [20]byte
	return string(s.cardBytes(o, &b))
}

// cardBytes writes the card number of o into buf (or returns the rare one kept aside).
func (s *state) cardBytes(o uint32, buf *[20]byte) []byte {
	n := s.cardLen[o]
	if n == 0 {
		if e := s.extras[o]; e != nil {
			return []byte(e.card)
		}
		return nil
	}
	v := s.card[o]
	for i := int(n) - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return buf[:n]
}

func (s *state) birthString(o uint32) string {
	b := s.birth[o]
	if b == 0 {
		if e := s.extras[o]; e != nil {
			return e.birth
		}
		return ""
	}
	return formatDate(b)
}

// Compact encodings.

func parseCard(c string) (uint64, uint8) {
	if c == "" || len(c) > 19 {
		return 0, 0
	}
	var v uint64
	for i := 0; i < len(c); i++ {
		if c[i] < '0' || c[i] > '9' {
			return 0, 0
		}
		v = v*10 + uint64(c[i]-'0')
	}
	return v, uint8(len(c))
}

// parseDate packs "YYYY-MM-DD" as year<<9 | month<<5 | day; ok is false (and the value
// 0) for anything else.
func parseDate(d string) (uint32, bool) {
	if len(d) != 10 || d[4] != '-' || d[7] != '-' {
		return 0, d == ""
	}
	y, err1 := strconv.Atoi(d[:4])
	m, err2 := strconv.Atoi(d[5:7])
	day, err3 := strconv.Atoi(d[8:])
	if err1 != nil || err2 != nil || err3 != nil || y < 1 || m < 1 || m > 12 || day < 1 || day > 31 || formatDate(uint32(y<<9|m<<5|day)) != d {
		return 0, false
	}
	return uint32(y<<9 | m<<5 | day), true
}

func formatDate(b uint32) string {
	var out [10]byte
	y, m, d := b>>9, b>>5&15, b&31
	out[0], out[1], out[2], out[3] = byte('0'+y/1000%10), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10)
	out[4], out[7] = '-', '-'
	out[5], out[6] = byte('0'+m/10), byte('0'+m%10)
	out[8], out[9] = byte('0'+d/10), byte('0'+d%10)
	return string(out[:])
}

const hexDigits = "0123456789abcdef"

// parseUUID reads a lower-case UUID in its 36-character text form (what store.NewID
// makes); anything else is kept as a string.
func parseUUID(s string) ([16]byte, bool) {
	var u [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	j := 0
	for i := 0; i < 36; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i++
			continue
		}
		hi, lo := unhex(s[i]), unhex(s[i+1])
		if hi < 0 || lo < 0 {
			return u, false
		}
		u[j] = byte(hi<<4 | lo)
		j++
		i += 2
	}
	return u, true
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return -1
}

func formatUUID(u [16]byte) string {
	var b [36]byte
	j := 0
	for i := 0; i < 16; i++ {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b[j] = '-'
			j++
		}
		b[j], b[j+1] = hexDigits[u[i]>>4], hexDigits[u[i]&15]
		j += 2
	}
	return string(b[:])
}

// lookup returns the live ordinal of a member ID.
func (s *state) lookup(id string) (uint32, bool) {
	if o, ok := s.delta[id]; ok {
		return o, s.isAlive(o)
	}
	if u, ok := parseUUID(id); ok {
		i, found := slices.BinarySearchFunc(s.byID, u, func(o uint32, u [16]byte) int { return compareIDs(s.ids[o], u) })
		if found {
			o := s.byID[i]
			return o, s.isAlive(o)
		}
		return 0, false
	}
	if o, ok := s.otherIDs[id]; ok {
		return o, s.isAlive(o)
	}
	return 0, false
}

func compareIDs(a, b [16]byte) int { return strings.Compare(string(a[:]), string(b[:])) }

// validUTF8 guards the vocabulary against invalid bytes from the store.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
