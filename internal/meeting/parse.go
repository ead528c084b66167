package meeting

import (
	"strconv"
	"strings"
	"time"

	"dais/internal/store"
)

// Zone is where meeting times are typed and shown (DESIGN.md §2: UTC in the store, the
// organization's time zone on screen).
var Zone = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return l
	}
	return time.FixedZone("ICT", 7*3600) // no tzdata on the machine: Vietnam has no DST
}()

// localLayouts are the forms a person types a time in: the browser's datetime-local
// value, and the Vietnamese day-first way with or without seconds.
var localLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "15:04 02/01/2006", "02/01/2006 15:04"}

// ParseTime reads a time typed in a form (in Zone) or sent as RFC 3339. Empty gives the
// zero time and no error; anything else unreadable is EINVALID for field.
func ParseTime(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if len(s) <= 40 {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return checkYear(field, t.UTC())
		}
		for _, l := range localLayouts {
			if t, err := time.ParseInLocation(l, s, Zone); err == nil {
				return checkYear(field, t.UTC())
			}
		}
	}
	return time.Time{}, bad(field, "mtg.time_invalid", field+": write the time as dd/mm/yyyy hh:mm")
}

func checkYear(field string, t time.Time) (time.Time, error) {
	if t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, store.Invalid(field, "mtg.time_range", "the time must be between 2000 and 2100")
	}
	return t, nil
}

// LocalInput formats t for a datetime-local input in Zone ("" for the zero time).
func LocalInput(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Zone).Format("2006-01-02T15:04")
}

// ParseMinutes reads a duration in whole minutes: "45", "45 phút", "1h30", "1:30", "2 giờ".
// Empty is 0.
func ParseMinutes(field, s string) (int, error) {
	s = strings.ToLower(strings.Join(strings.Fields(s), ""))
	bad := store.Invalid(field, "mtg.duration_invalid", "the duration must be 0 to 1440 minutes")
	if s == "" {
		return 0, nil
	}
	if len(s) > 20 {
		return 0, bad
	}
	s = strings.TrimSuffix(strings.TrimSuffix(s, "phút"), "min")
	var h, m int
	var err error
	switch {
	case strings.ContainsAny(s, "h:g"):
		i := strings.IndexAny(s, "h:g")
		hs, ms := s[:i], s[i+1:]
		ms = strings.TrimPrefix(strings.TrimPrefix(ms, "iờ"), "ờ") // "giờ" after the g
		if h, err = strconv.Atoi(hs); err != nil {
			return 0, bad
		}
		if ms != "" {
			if m, err = strconv.Atoi(ms); err != nil || m >= 60 {
				return 0, bad
			}
		}
	default:
		if m, err = strconv.Atoi(s); err != nil {
			return 0, bad
		}
	}
	total := h*60 + m
	if h < 0 || h > 24 || m < 0 || total > 24*60 {
		return 0, bad
	}
	return total, nil
}

// ParseDocumentIDs reads document IDs typed or pasted into a form: separated by commas,
// semicolons, spaces or line breaks; a pasted link "/documents/ID" counts as its ID.
// Duplicates are dropped, order kept; at most MaxDocs.
func ParseDocumentIDs(s string) ([]string, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	})
	out := []string{}
	seen := map[string]bool{}
	for _, f := range fields {
		if i := strings.LastIndex(f, "/documents/"); i >= 0 {
			f = strings.TrimRight(f[i+len("/documents/"):], "/")
		}
		if !validID(f) {
			return nil, store.Invalid("documents", "mtg.document_invalid", "%q is not a document ID", clip(f, 40))
		}
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
		if len(out) > MaxDocs {
			return nil, store.Invalid("documents", "mtg.too_many", "at most %d", MaxDocs)
		}
	}
	return out, nil
}
