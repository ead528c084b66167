package member

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// Bar is one bar of a chart: a label and a count, with its share of the largest bar.
type Bar struct {
	Label   string
	Count   int
	Percent int // of the whole, rounded
	Width   int // 0–100, relative to the largest bar (for drawing)
}

// Stats are the member statistics of a unit's subtree, for charts.
type Stats struct {
	Total     int
	Gender    []Bar
	Age       []Bar
	Ethnicity []Bar
	Admission []Bar // by decade of admission
	Status    []Bar
}

// Stats counts the members of the subtree at unitPath (callers check the permission).
func (s *Service) Stats(ctx context.Context, unitPath string, today time.Time) (Stats, error) {
	var st Stats
	group := func(expr string) (map[string]int, error) {
		rows, err := s.db.R().QueryContext(ctx, `SELECT `+expr+`, COUNT(*) FROM members m JOIN units u ON u.id = m.unit_id
			WHERE u.path >= ? AND u.path < ? AND m.status NOT IN ('deceased', 'expelled', 'removed') GROUP BY 1`, unitPath, unitPath+"~")
		if err != nil {
			return nil, fmt.Errorf("member stats: %w", err)
		}
		defer rows.Close()
		out := map[string]int{}
		for rows.Next() {
			var k string
			var n int
			if err := rows.Scan(&k, &n); err != nil {
				return nil, err
			}
			out[k] += n
		}
		return out, rows.Err()
	}
	gender, err := group(`m.gender`)
	if err != nil {
		return st, err
	}
	for _, n := range gender {
		st.Total += n
	}
	st.Gender = bars(gender, []string{"male", "female"}, 0)
	years, err := group(`substr(m.birth_date, 1, 4)`)
	if err != nil {
		return st, err
	}
	bands := map[string]int{}
	labels := []string{"18–29", "30–39", "40–49", "50–59", "60–69", "70+"}
	for y, n := range years {
		yr, err := strconv.Atoi(y)
		if err != nil {
			continue
		}
		age := today.Year() - yr
		i := min(max((age-20)/10, 0), 5)
		bands[labels[i]] += n
	}
	st.Age = bars(bands, labels, 0)
	eth, err := group(`m.ethnicity`)
	if err != nil {
		return st, err
	}
	st.Ethnicity = bars(eth, nil, 6)
	adm, err := group(`substr(m.admission_date, 1, 3)`)
	if err != nil {
		return st, err
	}
	decades := map[string]int{}
	var order []string
	for d, n := range adm {
		if len(d) == 3 {
			decades[d+"0s"] += n
		}
	}
	for d := range decades {
		order = append(order, d)
	}
	sort.Strings(order)
	st.Admission = bars(decades, order, 0)
	status, err := group(`m.status`)
	if err != nil {
		return st, err
	}
	st.Status = bars(status, []string{StatusOfficial, StatusProbationary, StatusInTransit}, 0)
	return st, nil
}

// bars turns counts into bars: in the given order, or by count (largest first) keeping
// top bars and folding the rest into "…" when top > 0.
func bars(counts map[string]int, order []string, top int) []Bar {
	if order == nil {
		for k := range counts {
			order = append(order, k)
		}
		sort.Slice(order, func(i, j int) bool {
			if counts[order[i]] != counts[order[j]] {
				return counts[order[i]] > counts[order[j]]
			}
			return order[i] < order[j]
		})
	}
	total, maxN := 0, 0
	for _, n := range counts {
		total += n
		maxN = max(maxN, n)
	}
	var out []Bar
	rest := 0
	for i, k := range order {
		if top > 0 && i >= top {
			rest += counts[k]
			continue
		}
		out = append(out, Bar{Label: k, Count: counts[k]})
	}
	if rest > 0 {
		out = append(out, Bar{Label: "…", Count: rest})
		maxN = max(maxN, rest)
	}
	for i := range out {
		if total > 0 {
			out[i].Percent = (out[i].Count*100 + total/2) / total
		}
		if maxN > 0 {
			out[i].Width = out[i].Count * 100 / maxN
		}
	}
	return out
}
