package meeting

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"dais/internal/store"
)

// SeedOptions configure Seed.
type SeedOptions struct {
	// Now places the meetings in time: the congress runs today, the committee meets in
	// three days, the cell met last month and meets again next month. Zero: now.
	Now time.Time
	// Documents are document IDs (internal/document's demo) to attach to the congress's
	// political report; may be empty.
	Documents []string
	// CongressDocuments, when set, is called once the congress exists to make its
	// documents (so that they belong to the meeting: its delegates read them by their
	// meeting role, and new versions reach their tablets live); the IDs it returns are
	// attached to the political report with Documents.
	CongressDocuments func(congressID string) ([]string, error)
}

// SeedResult is what Seed created.
type SeedResult struct {
	Meetings []Meeting
}

// demoUnit returns the unit of a demo user's first grant (the demo gives each one grant).
func demoUnit(ctx context.Context, db *store.DB, username string) (code string, err error) {
	err = db.R().QueryRowContext(ctx, `SELECT u.code FROM users us JOIN grants g ON g.user_id = us.id JOIN units u ON u.id = g.unit_id
		WHERE us.username = ? AND u.dissolved_at IS NULL ORDER BY g.created_at LIMIT 1`, username).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("demo meetings: no demo user %q with a grant (seed the demo organization first)", username)
	}
	return code, err
}

type demoItem struct {
	title, presenter string
	minutes          int
}

// Seed creates the demo's meetings on a store seeded by internal/demo (its users
// bithu, chutoa, thuky, kiemphieu, daibieu, tochuc, tochuc2 and dangvien, and its units):
//   - the province's party congress, "Đại hội đại biểu Đảng bộ tỉnh Bắc Ninh lần thứ XXI,
//     nhiệm kỳ 2025–2030", three sessions over two days, under way with its political
//     report as the current item;
//   - a meeting of the commune committee in three days, with answers still missing;
//   - last month's regular meeting of a cell with finalized minutes, and next month's.
//
// It does nothing when the store already holds meetings.
func Seed(ctx context.Context, db *store.DB, opts SeedOptions) (SeedResult, error) {
	var res SeedResult
	var n int
	if err := db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM meetings`).Scan(&n); err != nil || n > 0 {
		return res, err
	}
	ctx = store.WithActor(ctx, "demo")
	s := NewService(db, nil, nil)
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.In(Zone)
	at := func(days, hour, minute int) time.Time {
		d := now.AddDate(0, 0, days)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, Zone)
	}
	province, err := demoUnit(ctx, db, "bithu")
	if err != nil {
		return res, err
	}
	commune, err := demoUnit(ctx, db, "tochuc")
	if err != nil {
		return res, err
	}
	cell, err := demoUnit(ctx, db, "dangvien")
	if err != nil {
		return res, err
	}

	// build creates a meeting with its sessions (the first replaces the default one),
	// items and participants.
	build := func(unit string, in Input, sessions []SessionInput, items [][]demoItem, people [][3]string) (Meeting, [][]string, error) {
		m, err := s.Create(ctx, nil, unit, in)
		if err != nil {
			return m, nil, err
		}
		_, ag, err := s.Agenda(ctx, nil, m.ID)
		if err != nil {
			return m, nil, err
		}
		sids := []string{ag.Sessions[0].ID}
		if err := s.UpdateSession(ctx, nil, m.ID, sids[0], sessions[0]); err != nil {
			return m, nil, err
		}
		for _, se := range sessions[1:] {
			id, err := s.AddSession(ctx, nil, m.ID, se)
			if err != nil {
				return m, nil, err
			}
			sids = append(sids, id)
		}
		ids := make([][]string, len(items))
		for i, list := range items {
			for _, it := range list {
				id, err := s.AddItem(ctx, nil, m.ID, ItemInput{SessionID: sids[i], Title: it.title, Presenter: it.presenter, DurationMin: it.minutes})
				if err != nil {
					return m, nil, err
				}
				ids[i] = append(ids[i], id)
			}
		}
		for _, p := range people {
			if _, err := s.AddParticipant(ctx, nil, m.ID, ParticipantInput{Username: p[0], Role: p[1], DelegateNumber: p[2]}); err != nil {
				return m, nil, fmt.Errorf("invite %s: %w", p[0], err)
			}
		}
		return m, ids, nil
	}

	// 1. The provincial congress, under way today.
	congress, cids, err := build(province, Input{Kind: KindCongress,
		Title:    "Đại hội đại biểu Đảng bộ tỉnh Bắc Ninh lần thứ XXI, nhiệm kỳ 2025–2030",
		Place:    "Trung tâm Hội nghị tỉnh Bắc Ninh, đường Lý Thái Tổ, phường Kinh Bắc",
		StartsAt: at(0, 7, 30), EndsAt: at(1, 11, 30)},
		[]SessionInput{
			{Title: "Phiên trù bị", StartsAt: at(0, 7, 30)},
			{Title: "Phiên chính thức thứ nhất", StartsAt: at(0, 9, 0)},
			{Title: "Phiên bầu cử và bế mạc", StartsAt: at(1, 7, 30)},
		},
		[][]demoItem{
			{
				{"Chào cờ; bầu Đoàn Chủ tịch, Đoàn Thư ký và Ban Thẩm tra tư cách đại biểu", "Đồng chí Ủy viên Ban Thường vụ, Trưởng Ban Tổ chức Tỉnh ủy", 30},
				{"Thông qua chương trình làm việc và quy chế làm việc của Đại hội", "Đoàn Chủ tịch", 20},
				{"Quán triệt Chỉ thị số 45-CT/TW của Bộ Chính trị về đại hội đảng bộ các cấp tiến tới Đại hội đại biểu toàn quốc lần thứ XIV của Đảng", "Đồng chí Phó Bí thư Thường trực Tỉnh ủy", 30},
			},
			{
				{"Diễn văn khai mạc Đại hội", "Đồng chí Bí thư Tỉnh ủy", 20},
				{"Báo cáo chính trị của Ban Chấp hành Đảng bộ tỉnh khóa XX trình Đại hội", "Đồng chí Phó Bí thư Tỉnh ủy, Chủ tịch Ủy ban nhân dân tỉnh", 45},
				{"Báo cáo kiểm điểm sự lãnh đạo, chỉ đạo của Ban Chấp hành Đảng bộ tỉnh nhiệm kỳ 2020–2025", "Đồng chí Phó Bí thư Thường trực Tỉnh ủy", 30},
				{"Báo cáo thẩm tra tư cách đại biểu", "Trưởng Ban Thẩm tra tư cách đại biểu", 15},
				{"Thảo luận văn kiện Đại hội; góp ý dự thảo các văn kiện trình Đại hội XIV của Đảng", "Các đoàn đại biểu", 120},
			},
			{
				{"Bầu Ban Chấp hành Đảng bộ tỉnh khóa XXI, nhiệm kỳ 2025–2030", "Ban Kiểm phiếu", 120},
				{"Bầu đoàn đại biểu dự Đại hội đại biểu toàn quốc lần thứ XIV của Đảng", "Ban Kiểm phiếu", 60},
				{"Thông qua Nghị quyết Đại hội", "Đoàn Thư ký", 20},
				{"Bế mạc Đại hội", "Đoàn Chủ tịch", 15},
			},
		},
		[][3]string{
			{"bithu", RoleChair, "001"}, {"chutoa", RoleChair, "002"}, {"thuky", RoleSecretariat, "015"}, {"kiemphieu", RoleCounting, "027"},
			{"daibieu", RoleDelegate, "125"}, {"tochuc", RoleDelegate, "187"}, {"tochuc2", RoleDelegate, "188"},
		})
	if err != nil {
		return res, fmt.Errorf("demo congress: %w", err)
	}
	if opts.CongressDocuments != nil {
		ids, err := opts.CongressDocuments(congress.ID)
		if err != nil {
			return res, fmt.Errorf("demo congress documents: %w", err)
		}
		opts.Documents = append(opts.Documents, ids...)
	}
	if len(opts.Documents) > 0 {
		report := cids[1][1]
		if err := s.UpdateItem(ctx, nil, congress.ID, report, ItemInput{Title: "Báo cáo chính trị của Ban Chấp hành Đảng bộ tỉnh khóa XX trình Đại hội",
			Presenter: "Đồng chí Phó Bí thư Tỉnh ủy, Chủ tịch Ủy ban nhân dân tỉnh", DurationMin: 45, Documents: opts.Documents}); err != nil {
			return res, fmt.Errorf("demo congress documents: %w", err)
		}
	}
	for _, a := range [][3]string{{"bithu", AnswerAccepted, ""}, {"chutoa", AnswerAccepted, ""}, {"thuky", AnswerAccepted, ""},
		{"kiemphieu", AnswerAccepted, ""}, {"daibieu", AnswerAccepted, ""}, {"tochuc2", AnswerExcused, "Ốm, nằm viện (có giấy xác nhận của bệnh viện)"}} {
		if err := s.Answer(ctx, nil, congress.ID, userIDByName(ctx, db, a[0]), a[1], a[2]); err != nil {
			return res, fmt.Errorf("demo answer %s: %w", a[0], err)
		}
	}
	if err := s.SetCurrent(ctx, nil, congress.ID, cids[1][1]); err != nil {
		return res, err
	}

	// 2. The commune committee, in three days.
	month := fmt.Sprintf("tháng %d năm %d", int(now.Month()), now.Year())
	committee, _, err := build(commune, Input{Kind: KindCommittee,
		Title: "Hội nghị Ban Chấp hành Đảng bộ xã thường kỳ " + month, Place: "Hội trường Đảng ủy – Ủy ban nhân dân xã",
		StartsAt: at(3, 14, 0), EndsAt: at(3, 17, 0)},
		[]SessionInput{{Title: "Phiên họp", StartsAt: at(3, 14, 0)}},
		[][]demoItem{{
			{"Đánh giá tình hình thực hiện nhiệm vụ chính trị " + month, "Đồng chí Phó Bí thư Đảng ủy, Chủ tịch UBND xã", 40},
			{"Cho ý kiến về công tác chuẩn bị tổng kết năm và xây dựng kế hoạch năm tới", "Văn phòng Đảng ủy", 40},
			{"Công tác kiểm tra, giám sát quý IV và công tác phát triển đảng viên", "Đồng chí Chủ nhiệm Ủy ban Kiểm tra Đảng ủy", 30},
			{"Thảo luận và kết luận hội nghị", "Đồng chí Bí thư Đảng ủy", 40},
		}},
		[][3]string{{"tochuc", RoleSecretariat, ""}, {"tochuc2", RoleGuest, ""}, {"bithu", RoleGuest, ""}, {"dangvien", RoleGuest, ""}})
	if err != nil {
		return res, fmt.Errorf("demo committee meeting: %w", err)
	}
	if err := s.Answer(ctx, nil, committee.ID, userIDByName(ctx, db, "tochuc"), AnswerAccepted, ""); err != nil {
		return res, err
	}

	// 3. The cell: last month's meeting, held, with finalized minutes; next month's, planned.
	cellItems := [][]demoItem{{
		{"Thông tin thời sự, chính sách mới của Đảng và Nhà nước; văn bản chỉ đạo của cấp ủy cấp trên", "Đồng chí Bí thư chi bộ", 20},
		{"Đánh giá kết quả thực hiện nhiệm vụ tháng; ý kiến của đảng viên", "Đồng chí Phó Bí thư chi bộ", 30},
		{"Phương hướng, nhiệm vụ tháng tới; phân công nhiệm vụ cho đảng viên", "Đồng chí Bí thư chi bộ", 25},
		{"Sinh hoạt chuyên đề: học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", "Đồng chí Bí thư chi bộ", 30},
	}}
	cellPeople := [][3]string{{"dangvien", RoleSecretariat, ""}, {"tochuc", RoleGuest, ""}}
	last := now.AddDate(0, -1, 0)
	held, hids, err := build(cell, Input{Kind: KindCell, Status: StatusClosed,
		Title: fmt.Sprintf("Sinh hoạt chi bộ định kỳ tháng %d năm %d", int(last.Month()), last.Year()), Place: "Nhà văn hóa thôn",
		StartsAt: at(-30, 19, 30), EndsAt: at(-30, 21, 30)},
		[]SessionInput{{Title: "Phiên họp", StartsAt: at(-30, 19, 30)}}, cellItems, cellPeople)
	if err != nil {
		return res, fmt.Errorf("demo cell meeting: %w", err)
	}
	for _, u := range []string{"dangvien", "tochuc"} {
		if err := s.Answer(ctx, nil, held.ID, userIDByName(ctx, db, u), AnswerAccepted, ""); err != nil {
			return res, err
		}
	}
	texts := []string{
		"Đồng chí Bí thư chi bộ thông tin về kết quả Đại hội Đảng bộ xã và các văn bản mới của Đảng ủy xã về phòng, chống thiên tai.",
		"Chi bộ hoàn thành các chỉ tiêu trong tháng: thu hoạch xong vụ mùa, năng suất lúa ước đạt 62 tạ/ha; 100% đảng viên đóng đảng phí đúng kỳ.\nĐồng chí Bùi Văn Nam đề nghị sớm sửa chữa đoạn đường liên xóm bị sạt lở.",
		"Tập trung làm đất gieo trồng cây vụ đông; vận động nhân dân tham gia hiến đất mở rộng đường liên xóm; chuẩn bị tổng kết công tác năm.",
		"Chi bộ thống nhất mỗi đảng viên đăng ký một việc làm cụ thể theo chuyên đề, báo cáo kết quả tại kỳ sinh hoạt tháng sau.",
	}
	var secs []Section
	for i, id := range hids[0] {
		secs = append(secs, Section{ItemID: id, Text: texts[i]})
	}
	mn, err := s.SaveDraft(ctx, nil, held.ID, MinutesInput{Version: 0, Chair: "Nguyễn Văn Khải (Bí thư chi bộ)", Secretary: "Bùi Văn Nam",
		Opening: "Đồng chí Bí thư chi bộ khai mạc, tuyên bố lý do và thông qua nội dung sinh hoạt.", Sections: secs,
		Closing: "Chi bộ biểu quyết thông qua biên bản với 100% đảng viên có mặt tán thành. Buổi sinh hoạt kết thúc lúc 21 giờ 30 phút cùng ngày."})
	if err != nil {
		return res, fmt.Errorf("demo minutes: %w", err)
	}
	if _, err := s.Finalize(ctx, nil, held.ID, mn.Version); err != nil {
		return res, fmt.Errorf("demo minutes: %w", err)
	}
	next := now.AddDate(0, 1, 0)
	upcoming, _, err := build(cell, Input{Kind: KindCell,
		Title: fmt.Sprintf("Sinh hoạt chi bộ định kỳ tháng %d năm %d", int(next.Month()), next.Year()), Place: "Nhà văn hóa thôn",
		StartsAt: at(30, 19, 30), EndsAt: at(30, 21, 30)},
		[]SessionInput{{Title: "Phiên họp", StartsAt: at(30, 19, 30)}}, cellItems, cellPeople)
	if err != nil {
		return res, fmt.Errorf("demo cell meeting: %w", err)
	}
	for _, id := range []string{congress.ID, committee.ID, held.ID, upcoming.ID} {
		m, err := s.Get(ctx, nil, id)
		if err != nil {
			return res, err
		}
		res.Meetings = append(res.Meetings, m)
	}
	return res, nil
}

func userIDByName(ctx context.Context, db *store.DB, username string) string {
	var id string
	_ = db.R().QueryRowContext(ctx, `SELECT id FROM users WHERE username = ?`, username).Scan(&id)
	return id // "" makes Answer fail with "participant not found", naming the problem
}
