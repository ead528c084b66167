package vote

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

	"dais/internal/store"
)

// Seed adds the demo's polls to the demo congress (internal/meeting's Seed: delegates
// daibieu and tochuc present, tochuc2 excused; kiemphieu on the counting committee):
//   - a closed and published open (named) motion adopting the congress's programme;
//   - the closed and published election "Bầu Ban Chấp hành Đảng bộ tỉnh khóa XXI": 10
//     candidates for 8 seats (surplus 2 ≤ 30%), 350 delegates convened and 342 present,
//     two electronic ballots and 340 paper ballots (338 returned, 2 unused), counted by
//     double entry with one discrepancy the committee resolved;
//   - an open secret motion, for the delegates to vote in.
//
// It does nothing when the meeting has polls already.
func Seed(ctx context.Context, s *Service, meetingID string) error {
	var n int
	if err := s.db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM polls WHERE meeting_id = ?`, meetingID).Scan(&n); err != nil || n > 0 {
		return err
	}
	ctx = store.WithActor(ctx, "demo")
	user := func(name string) (*store.Principal, error) {
		p := &store.Principal{Username: name}
		err := s.db.R().QueryRowContext(ctx, `SELECT id FROM users WHERE username = ?`, name).Scan(&p.UserID)
		if err != nil {
			return nil, fmt.Errorf("demo polls: user %s: %w", name, err)
		}
		return p, nil
	}
	voters := []string{"daibieu", "tochuc"}
	cast := func(pollID string, ballots ...string) error {
		for i, name := range voters {
			p, err := user(name)
			if err != nil {
				return err
			}
			if _, err := s.Cast(store.WithActor(ctx, p.UserID), p, meetingID, pollID, fmt.Sprintf("demo-%s-%s", pollID[len(pollID)-8:], name), []byte(ballots[i])); err != nil {
				return fmt.Errorf("demo ballot: %w", err)
			}
		}
		return nil
	}

	// 1. An open (named) motion, adopted.
	motion, err := s.Create(ctx, nil, meetingID, Input{Kind: KindMotion, Title: "Thông qua chương trình làm việc và quy chế làm việc của Đại hội"})
	if err != nil {
		return err
	}
	if err := s.Open(ctx, nil, meetingID, motion.ID); err != nil {
		return err
	}
	if err := cast(motion.ID, `{"choice":"yes"}`, `{"choice":"yes"}`); err != nil {
		return err
	}
	if err := s.Close(ctx, nil, meetingID, motion.ID); err != nil {
		return err
	}
	if err := s.Publish(ctx, nil, meetingID, motion.ID); err != nil {
		return err
	}

	// 2. The election of the provincial committee, electronic and paper ballots.
	names := []struct{ name, note string }{
		{"Nguyễn Văn Thắng", "1968, Bí thư Tỉnh ủy"},
		{"Vương Quốc Tuấn", "1970, Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh"},
		{"Nguyễn Hữu Thành", "1972, Phó Bí thư Thường trực Tỉnh ủy"},
		{"Lê Thị Thu Hồng", "1975, Trưởng Ban Tổ chức Tỉnh ủy"},
		{"Đào Quang Khải", "1971, Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy"},
		{"Phạm Thị Thu Thủy", "1979, Trưởng Ban Tuyên giáo và Dân vận Tỉnh ủy"},
		{"Ngô Tân Phượng", "1974, Phó Chủ tịch UBND tỉnh"},
		{"Hoàng Văn Nghĩa", "1977, Bí thư Thành ủy Bắc Ninh"},
		{"Trần Minh Đức", "1982, Giám đốc Sở Khoa học và Công nghệ"},
		{"Đỗ Thị Hạnh", "1984, Bí thư Tỉnh đoàn"},
	}
	in := Input{Kind: KindElection, Title: "Bầu Ban Chấp hành Đảng bộ tỉnh khóa XXI, nhiệm kỳ 2025–2030", Seats: 8,
		Rule: &Rule{Name: RuleMajorityOfBase, Base: BaseConvened, MaxSurplusPct: 30, FloorPct: 30, Convened: 350, Present: 342}}
	for _, c := range names {
		in.Candidates = append(in.Candidates, Candidate{Name: c.name, Note: c.note})
	}
	el, err := s.Create(ctx, nil, meetingID, in)
	if err != nil {
		return err
	}
	if err := s.Open(ctx, nil, meetingID, el.ID); err != nil {
		return err
	}
	if err := cast(el.ID, `{"keep":["c1","c2","c3","c4","c5","c6","c7","c8"]}`, `{"keep":["c1","c2","c3","c4","c5","c6","c8","c9"]}`); err != nil {
		return err
	}
	if err := s.Close(ctx, nil, meetingID, el.ID); err != nil {
		return err
	}
	if err := s.SetPaper(ctx, nil, meetingID, el.ID, 340, 2); err != nil {
		return err
	}
	entries := demoPaper(in.Candidates, 338, 8)
	c1 := store.WithActor(ctx, "demo:kiemphieu")
	c2 := store.WithActor(ctx, "demo:thuky")
	if err := s.EnterPaper(c1, nil, meetingID, el.ID, 1, entries); err != nil {
		return fmt.Errorf("demo paper: %w", err)
	}
	second := slices.Clone(entries)
	second[41] = PaperEntry{Serial: second[41].Serial, Ballot: Ballot{Keep: []string{"c1", "c2"}}} // a typing slip, then resolved
	if err := s.EnterPaper(c2, nil, meetingID, el.ID, 2, second); err != nil {
		return fmt.Errorf("demo paper: %w", err)
	}
	if err := s.ResolvePaper(c1, nil, meetingID, el.ID, entries[41]); err != nil {
		return err
	}
	if err := s.Publish(ctx, nil, meetingID, el.ID); err != nil {
		return err
	}

	// 3. An open secret motion, waiting for the delegates.
	secret, err := s.Create(ctx, nil, meetingID, Input{Kind: KindMotion, Secret: true,
		Title: "Biểu quyết (bỏ phiếu kín) thông qua số lượng Ban Chấp hành Đảng bộ tỉnh khóa XXI là 8 đồng chí"})
	if err != nil {
		return err
	}
	return s.Open(ctx, nil, meetingID, secret.ID)
}

// demoPaper draws n paper ballots for the demo election from a fixed seed: each
// candidate kept with its own probability, at most k names on a valid ballot, three
// spoiled ballots and two that keep too many names (invalid by the regulation).
func demoPaper(cs []Candidate, n, k int) []PaperEntry {
	rng := rand.New(rand.NewPCG(21, 2025))
	keepP := []float64{0.95, 0.93, 0.9, 0.88, 0.86, 0.84, 0.66, 0.7, 0.52, 0.4}
	out := make([]PaperEntry, 0, n)
	for serial := 1; serial <= n; serial++ {
		e := PaperEntry{Serial: serial, Ballot: Ballot{Keep: []string{}}}
		switch {
		case serial%113 == 0:
			e.Invalid = true
		case serial%150 == 7:
			for _, c := range cs[:k+1] {
				e.Ballot.Keep = append(e.Ballot.Keep, c.ID)
			}
		default:
			var kept []int
			for j := range cs {
				if rng.Float64() < keepP[j] {
					kept = append(kept, j)
				}
			}
			for len(kept) > k { // the voter strikes the least favoured until k remain
				worst := 0
				for i, j := range kept {
					if keepP[j] < keepP[kept[worst]] {
						worst = i
					}
				}
				kept = slices.Delete(kept, worst, worst+1)
			}
			for _, j := range kept {
				e.Ballot.Keep = append(e.Ballot.Keep, cs[j].ID)
			}
		}
		out = append(out, e)
	}
	return out
}
