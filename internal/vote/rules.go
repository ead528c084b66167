package vote

import (
	"cmp"
	"slices"
)

// RuleMajorityOfBase is the name of the default rule set: the election regulation of the
// Communist Party of Vietnam as DESIGN.md §5 and ELECTION.md §2 describe it, documented
// with examples in docs/election-regulation.md.
const RuleMajorityOfBase = "majority-of-base"

// Bases of the majority.
const (
	BaseConvened = "convened" // delegates convened (the default)
	BaseCast     = "cast"     // ballots cast (valid and invalid)
)

// Rule holds every parameter of the regulation, per poll; each one is shown on the
// results and printed in the counting minutes.
type Rule struct {
	Name string `json:"name"` // RuleMajorityOfBase
	// Base of the majority: BaseConvened or BaseCast. A candidate (or a motion) needs
	// strictly more than half of it.
	Base string `json:"base"`
	// MaxSurplusPct bounds the surplus of candidates: N − K ≤ K·pct/100 (30).
	MaxSurplusPct int `json:"max_surplus_pct"`
	// FloorPct is the agreement a candidate nominated from the floor needs to enter the
	// list: strictly more than pct % of the delegates convened (30).
	FloorPct int `json:"floor_pct"`
	// Convened and Present override the counts taken from the meeting when the poll
	// opens (0: take them from the meeting's delegates): a congress whose delegates do
	// not all have an account still prints its official figures.
	Convened int `json:"convened,omitempty"`
	Present  int `json:"present,omitempty"`
}

// DefaultRule is the regulation's default rule set.
func DefaultRule() Rule {
	return Rule{Name: RuleMajorityOfBase, Base: BaseConvened, MaxSurplusPct: 30, FloorPct: 30}
}

// MaxCandidates is how many candidates the surplus rule allows for k seats.
func (r Rule) MaxCandidates(k int) int { return k + k*r.MaxSurplusPct/100 }

// Majority reports whether votes is strictly more than half of base.
func Majority(votes, base int) bool { return 2*votes > base }

// FloorAgreement reports whether a floor nomination with agree votes out of a base of
// convened delegates enters the list: strictly more than pct % of them.
func FloorAgreement(agree, convened, pct int) bool { return 100*agree > pct*convened }

// Outcome is what the rule makes of an election's counts.
type Outcome struct {
	// Qualified[j]: candidate j has more than half of the base.
	Qualified []bool `json:"qualified"`
	// Elected lists candidate indices, highest count first (ties in list order).
	Elected []int `json:"elected"`
	// Runoff lists the candidates tied for the last seat across the cut: none of them is
	// elected; they go to a re-vote for the remaining seats.
	Runoff []int `json:"runoff"`
	// Short is true when fewer than k were elected: the congress may decide a further round.
	Short bool `json:"short"`
	// Remaining seats after this round (k − len(Elected)).
	Remaining int `json:"remaining"`
}

// Elect applies majority-of-base to the counts of an election for k seats: a candidate
// qualifies with 2·T > base; qualifying candidates are ranked by T, highest first; the
// first k are elected, except that candidates tied at the k-th place across the cut are
// none of them elected and are listed in Runoff. It is ELECTION.md §2 to the letter.
func Elect(counts []int, k, base int) Outcome {
	out := Outcome{Qualified: make([]bool, len(counts)), Elected: []int{}, Runoff: []int{}}
	var q []int
	for j, t := range counts {
		if Majority(t, base) {
			out.Qualified[j] = true
			q = append(q, j)
		}
	}
	slices.SortStableFunc(q, func(a, b int) int { return cmp.Compare(counts[b], counts[a]) })
	if len(q) <= k {
		out.Elected = append(out.Elected, q...)
	} else {
		cutVotes := counts[q[k-1]]
		if counts[q[k]] == cutVotes { // a tie across the cut
			for _, j := range q {
				switch {
				case counts[j] > cutVotes:
					out.Elected = append(out.Elected, j)
				case counts[j] == cutVotes:
					out.Runoff = append(out.Runoff, j)
				}
			}
		} else {
			out.Elected = append(out.Elected, q[:k]...)
		}
	}
	out.Remaining = k - len(out.Elected)
	out.Short = out.Remaining > 0
	return out
}

// MotionPassed reports whether a motion passes: more yes than half of the base.
func MotionPassed(yes, base int) bool { return Majority(yes, base) }

// SurplusOK reports whether n candidates for k seats respect the surplus rule.
func (r Rule) SurplusOK(n, k int) bool { return n >= k && n <= r.MaxCandidates(k) }
