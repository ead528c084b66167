package vote

import (
	"slices"
	"testing"
)

// TestElect checks majority-of-base against ELECTION.md §2 case by case: qualify with
// 2·T > base, rank, cut at K, a tie across the cut goes to a runoff.
func TestElect(t *testing.T) {
	for _, tc := range []struct {
		name    string
		counts  []int
		k, base int
		elected []int
		runoff  []int
		short   bool
	}{
		{"all qualify, clear cut", []int{300, 250, 200, 180}, 3, 350, []int{0, 1, 2}, nil, false},
		{"ranked by votes, not list order", []int{180, 300, 250, 200}, 3, 350, []int{1, 2, 3}, nil, false},
		{"exactly half is not more than half", []int{175, 176, 300}, 3, 350, []int{2, 1}, nil, true},
		{"odd base: half rounds down", []int{6, 5}, 2, 11, []int{0}, nil, true},
		{"tie across the cut: none of the tied elected", []int{300, 250, 250, 100}, 2, 350, []int{0}, []int{1, 2}, true},
		{"tie inside the seats is fine", []int{250, 250, 190, 100}, 3, 350, []int{0, 1, 2}, nil, false},
		{"three-way tie for two seats", []int{200, 200, 200}, 2, 350, []int{}, []int{0, 1, 2}, true},
		{"tie below the cut does not matter", []int{300, 280, 190, 190}, 2, 350, []int{0, 1}, nil, false},
		{"tie across the cut among qualifiers only", []int{300, 200, 200, 120}, 1, 350, []int{0}, nil, false},
		{"nobody qualifies", []int{100, 90}, 1, 350, []int{}, nil, true},
		{"base cast", []int{60, 40, 55}, 2, 100, []int{0, 2}, nil, false},
		{"zero ballots", []int{0, 0}, 1, 0, []int{}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := Elect(tc.counts, tc.k, tc.base)
			if tc.runoff == nil {
				tc.runoff = []int{}
			}
			if !slices.Equal(out.Elected, tc.elected) || !slices.Equal(out.Runoff, tc.runoff) || out.Short != tc.short {
				t.Errorf("Elect(%v, k=%d, base=%d) = elected %v runoff %v short %v; want %v %v %v",
					tc.counts, tc.k, tc.base, out.Elected, out.Runoff, out.Short, tc.elected, tc.runoff, tc.short)
			}
			if out.Remaining != tc.k-len(out.Elected) {
				t.Errorf("remaining %d, want %d", out.Remaining, tc.k-len(out.Elected))
			}
			for j, q := range out.Qualified {
				if q != (2*tc.counts[j] > tc.base) {
					t.Errorf("candidate %d qualified = %v with %d of %d", j, q, tc.counts[j], tc.base)
				}
			}
		})
	}
}

func TestSurplusAndFloor(t *testing.T) {
	r := DefaultRule()
	for _, tc := range []struct {
		n, k int
		ok   bool
	}{{10, 8, true}, {11, 8, false}, {65, 50, true}, {66, 50, false}, {3, 3, true}, {2, 3, false}, {1, 1, true}, {2, 1, false}, {235, 180, false}, {234, 180, true}} {
		if got := r.SurplusOK(tc.n, tc.k); got != tc.ok {
			t.Errorf("SurplusOK(%d candidates, %d seats) = %v, want %v", tc.n, tc.k, got, tc.ok)
		}
	}
	for _, tc := range []struct {
		agree, convened int
		ok              bool
	}{{105, 350, false}, {106, 350, true}, {3, 10, false}, {4, 10, true}, {0, 0, false}} {
		if got := FloorAgreement(tc.agree, tc.convened, 30); got != tc.ok {
			t.Errorf("FloorAgreement(%d of %d) = %v, want %v", tc.agree, tc.convened, got, tc.ok)
		}
	}
}
