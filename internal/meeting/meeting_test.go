package meeting

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"dais/internal/store"
	"dais/internal/store/storetest"
)

// fixture is a small tree (province P, commune P.A with cell P.A.C, commune P.B) and a
// few accounts, on one database.
type fixture struct {
	db    *store.DB
	paths map[string]string
	ids   map[string]string // unit code → id
	users map[string]string // username → id
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := store.WithActor(context.Background(), "test")
	f := &fixture{db: db, paths: map[string]string{}, ids: map[string]string{}, users: map[string]string{}}
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, u := range [][3]string{{"P", "", "Đảng bộ tỉnh P"}, {"P.A", "P", "Đảng bộ xã A"}, {"P.A.C", "P.A", "Chi bộ thôn C"}, {"P.B", "P", "Đảng bộ xã B"}} {
			id := store.NewID()
			path, depth := "/"+id+"/", 0
			var parent any
			if u[1] != "" {
				path, depth, parent = f.paths[u[1]]+id+"/", strings.Count(f.paths[u[1]], "/")-1, f.ids[u[1]]
			}
			f.paths[u[0]], f.ids[u[0]] = path, id
			if _, err := tx.ExecContext(ctx, `INSERT INTO units (id, code, name, type, parent_id, path, depth, created_at) VALUES (?, ?, ?, 'commune', ?, ?, ?, ?)`,
				id, u[0], u[2], parent, path, depth, store.Now()); err != nil {
				return err
			}
		}
		for _, u := range [][2]string{{"bithu", "Nguyễn Văn Thắng"}, {"chutoa", "Phạm Quang Hùng"}, {"thuky", "Hoàng Thị Mai"},
			{"daibieu", "Đặng Thị Hòa"}, {"daibieu2", "Lê Văn Bình"}, {"ngoai", "Người Ngoài"}} {
			id := store.NewID()
			f.users[u[0]] = id
			if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, username, display_name, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, 'x', ?, ?)`,
				id, u[0], u[1], store.Now(), store.Now()); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, "test.setup", "test", "fixture", nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// as is the principal of a user holding role on unit code ("" role: no grant).
func (f *fixture) as(user, role, code string) *store.Principal {
	p := &store.Principal{UserID: f.users[user], Username: user}
	if role != "" {
		p.Grants = []store.Grant{{Role: role, UnitID: f.ids[code], UnitPath: f.paths[code], UnitCode: code}}
	}
	return p
}

// events records what a Service publishes.
type events struct {
	mu  sync.Mutex
	got []string // "topic typ"
}

func (e *events) Publish(ctx context.Context, topic, typ string, data []byte) (uint64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !json.Valid(data) {
		return 0, store.Errorf(store.EINTERNAL, "not JSON: %s", data)
	}
	e.got = append(e.got, topic+" "+typ)
	return uint64(len(e.got)), nil
}

// Head is the hub's last sequence number of a topic (the tablet puts it in its /live URL).
func (e *events) Head(ctx context.Context, topic string) (uint64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return uint64(len(e.got)), nil
}

func (e *events) take() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.got
	e.got = nil
	return out
}

func code(err error) string {
	if err == nil {
		return ""
	}
	return store.ErrorCode(err)
}

var day = time.Date(2026, 12, 10, 1, 0, 0, 0, time.UTC) // 08:00 in Hà Nội

func TestMeetingLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := store.WithActor(context.Background(), "test")
		f := newFixture(t, db)
		ev := &events{}
		s := NewService(db, ev, nil)
		officer := f.as("bithu", store.RoleSecretary, "P")
		chairGrant := f.as("chutoa", store.RoleChair, "P")
		delegate := f.as("daibieu", store.RoleDelegate, "P")
		outsider := f.as("ngoai", store.RoleMember, "P.B")

		// Create: validation, then permissions.
		for _, bad := range []Input{
			{Kind: KindCongress, Title: "  ", StartsAt: day},
			{Kind: "party", Title: "X", StartsAt: day},
			{Kind: KindCongress, Title: "X"},
			{Kind: KindCongress, Title: "X", StartsAt: day, EndsAt: day.Add(-time.Hour)},
			{Kind: KindCongress, Title: "X", StartsAt: day, OnlineURL: "javascript:alert(1)"},
			{Kind: KindCongress, Title: "X\x00", StartsAt: day},
		} {
			if _, err := s.Create(ctx, officer, "P.A", bad); code(err) != store.EINVALID {
				t.Errorf("Create(%+v) = %v, want invalid", bad, err)
			}
		}
		in := Input{Kind: KindCongress, Title: "Đại hội  Đảng bộ xã A lần thứ  V", Place: "Hội trường xã", StartsAt: day, EndsAt: day.Add(26 * time.Hour)}
		if _, err := s.Create(ctx, chairGrant, "P.A", in); code(err) != store.EFORBIDDEN {
			t.Errorf("chair creates: %v, want forbidden", err)
		}
		if _, err := s.Create(ctx, outsider, "P.A", in); code(err) != store.ENOTFOUND {
			t.Errorf("outsider creates: %v, want not found", err)
		}
		m, err := s.Create(ctx, officer, "p.a", in)
		if err != nil {
			t.Fatal(err)
		}
		if m.Title != "Đại hội Đảng bộ xã A lần thứ V" || m.UnitCode != "P.A" || m.Status != StatusPlanned || m.Version != 1 {
			t.Errorf("created %+v", m)
		}
		if _, err := s.Get(ctx, delegate, m.ID); code(err) != store.ENOTFOUND {
			t.Errorf("delegate (not invited) sees the meeting: %v", err)
		}
		if _, err := s.Get(ctx, chairGrant, m.ID); err != nil {
			t.Errorf("chair over the unit does not see the meeting: %v", err)
		}

		// Agenda: two sessions, items with computed times, order, documents.
		_, ag, err := s.Agenda(ctx, officer, m.ID)
		if err != nil || len(ag.Sessions) != 1 || ag.Sessions[0].Title != "Phiên thứ nhất" {
			t.Fatalf("new agenda %+v, %v", ag, err)
		}
		s1 := ag.Sessions[0].ID
		s2, err := s.AddSession(ctx, officer, m.ID, SessionInput{Title: "Phiên thứ hai", StartsAt: day.Add(24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddSession(ctx, delegate, m.ID, SessionInput{Title: "x", StartsAt: day}); code(err) != store.ENOTFOUND {
			t.Errorf("delegate adds a session: %v", err)
		}
		fixed := day.Add(2 * time.Hour)
		titles := []string{"Khai mạc đại hội", "Báo cáo chính trị", "Thảo luận", "Bầu cử"}
		ids := map[string]string{}
		for i, title := range titles {
			it := ItemInput{SessionID: s1, Title: title, DurationMin: 30, Presenter: "Đồng chí Bí thư", Documents: []string{"doc-1", " doc-2 ", "doc-1"}}
			if i == 2 {
				it.PlannedStart = &fixed
			}
			if i == 3 {
				it.SessionID = "" // the last session
			}
			if ids[title], err = s.AddItem(ctx, officer, m.ID, it); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.AddItem(ctx, officer, m.ID, ItemInput{Title: "x", Documents: []string{"../etc/passwd"}}); code(err) != store.EINVALID {
			t.Errorf("bad document ID: %v", err)
		}
		if _, err := s.AddItem(ctx, officer, m.ID, ItemInput{Title: "x", SessionID: store.NewID()}); code(err) != store.EINVALID {
			t.Errorf("unknown session: %v", err)
		}
		if err := s.MoveItem(ctx, officer, m.ID, ids["Báo cáo chính trị"], -1); err != nil {
			t.Fatal(err)
		}
		_, ag, _ = s.Agenda(ctx, officer, m.ID)
		got := []string{}
		for _, se := range ag.Sessions {
			for _, it := range se.Items {
				got = append(got, it.Title+"@"+it.Start.In(Zone).Format("15:04"))
			}
		}
		want := "Báo cáo chính trị@08:00 Khai mạc đại hội@08:30 Thảo luận@10:00 Bầu cử@08:00"
		if strings.Join(got, " ") != want {
			t.Errorf("agenda %q, want %q", strings.Join(got, " "), want)
		}
		if it := ag.Item(ids["Thảo luận"]); it == nil || it.Number != 3 || strings.Join(it.Documents, ",") != "doc-1,doc-2" {
			t.Errorf("item %+v", it)
		}
		if err := s.Reorder(ctx, officer, m.ID, s1, []string{ids["Thảo luận"], ids["Khai mạc đại hội"]}); code(err) != store.EINVALID {
			t.Errorf("partial reorder: %v", err)
		}
		if err := s.Reorder(ctx, officer, m.ID, s1, []string{ids["Khai mạc đại hội"], ids["Báo cáo chính trị"], ids["Thảo luận"]}); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateItem(ctx, officer, m.ID, ids["Thảo luận"], ItemInput{Title: "Thảo luận văn kiện", SessionID: s2, Documents: []string{"doc-3"}}); err != nil {
			t.Fatal(err)
		}
		_, ag, _ = s.Agenda(ctx, officer, m.ID)
		if n := len(ag.Sessions[1].Items); n != 2 || ag.Sessions[1].Items[1].Title != "Thảo luận văn kiện" || ag.Sessions[1].Items[1].Documents[0] != "doc-3" {
			t.Errorf("moved item: %+v", ag.Sessions[1].Items)
		}
		if err := s.DeleteSession(ctx, officer, m.ID, s2); code(err) != store.ECONFLICT {
			t.Errorf("delete a session with items: %v", err)
		}

		// Participants and answers.
		if _, err := s.AddParticipant(ctx, officer, m.ID, ParticipantInput{Username: "chutoa", Role: RoleChair}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddParticipant(ctx, officer, m.ID, ParticipantInput{Username: "thuky", Role: RoleSecretariat}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddParticipant(ctx, officer, m.ID, ParticipantInput{Username: "daibieu", Role: RoleDelegate, DelegateNumber: "001"}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			in   ParticipantInput
			want string
		}{
			{ParticipantInput{Username: "daibieu", Role: RoleDelegate}, store.ECONFLICT},
			{ParticipantInput{Username: "daibieu2", Role: RoleDelegate, DelegateNumber: "001"}, store.ECONFLICT},
			{ParticipantInput{Username: "khongco", Role: RoleDelegate}, store.EINVALID},
			{ParticipantInput{Username: "daibieu2", Role: "boss"}, store.EINVALID},
			{ParticipantInput{Username: "daibieu2", Role: RoleDelegate, DelegateNumber: "1 2"}, store.EINVALID},
		} {
			if _, err := s.AddParticipant(ctx, officer, m.ID, c.in); code(err) != c.want {
				t.Errorf("AddParticipant(%+v) = %v, want %s", c.in, err, c.want)
			}
		}
		if _, err := s.AddParticipant(ctx, officer, m.ID, ParticipantInput{Username: "daibieu2", Role: RoleDelegate, DelegateNumber: "002"}); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateParticipant(ctx, officer, m.ID, f.users["daibieu2"], ParticipantInput{Role: RoleDelegate, DelegateNumber: "001"}); code(err) != store.ECONFLICT {
			t.Errorf("number taken on update: %v", err)
		}
		got2, err := s.Get(ctx, delegate, m.ID)
		if err != nil || got2.MyRole != RoleDelegate || got2.MyAnswer != AnswerInvited {
			t.Errorf("invited delegate: %+v, %v", got2, err)
		}
		mine, err := s.Mine(ctx, delegate)
		if err != nil || len(mine) != 1 || mine[0].ID != m.ID {
			t.Errorf("Mine = %v, %v", mine, err)
		}
		if err := s.Answer(ctx, delegate, m.ID, "", AnswerExcused, " "); code(err) != store.EINVALID {
			t.Errorf("excused without reason: %v", err)
		}
		if err := s.Answer(ctx, delegate, m.ID, "", AnswerExcused, "Đi công tác"); err != nil {
			t.Fatal(err)
		}
		if err := s.Answer(ctx, delegate, m.ID, f.users["daibieu2"], AnswerAccepted, ""); code(err) != store.EFORBIDDEN {
			t.Errorf("delegate answers for another: %v", err)
		}
		thuky := f.as("thuky", "", "")
		if err := s.Answer(ctx, thuky, m.ID, f.users["chutoa"], AnswerAccepted, ""); err != nil {
			t.Errorf("secretariat records an answer: %v", err)
		}
		rem, err := s.Reminders(ctx, thuky, m.ID)
		if err != nil || len(rem) != 2 || rem[0].Username != "thuky" || rem[1].Username != "daibieu2" {
			t.Errorf("reminders %+v, %v", rem, err)
		}
		if _, err := s.Reminders(ctx, delegate, m.ID); code(err) != store.EFORBIDDEN {
			t.Errorf("delegate reads reminders: %v", err)
		}
		ps, _ := s.Participants(ctx, f.as("daibieu2", "", ""), m.ID)
		for _, p := range ps {
			if p.Username == "daibieu" && p.ExcusedReason != "" {
				t.Errorf("another delegate sees the excuse reason")
			}
		}

		// Live: the current item, set by the meeting's secretariat, not by a delegate.
		ev.take()
		if err := s.SetCurrent(ctx, delegate, m.ID, ids["Báo cáo chính trị"]); code(err) != store.EFORBIDDEN {
			t.Errorf("delegate sets the current item: %v", err)
		}
		if err := s.SetCurrent(ctx, thuky, m.ID, store.NewID()); code(err) != store.EINVALID {
			t.Errorf("unknown item: %v", err)
		}
		if got := ev.take(); len(got) != 0 {
			t.Errorf("failed writes published %v", got)
		}
		if err := s.SetCurrent(ctx, thuky, m.ID, ids["Báo cáo chính trị"]); err != nil {
			t.Fatal(err)
		}
		if got := ev.take(); strings.Join(got, ",") != "meeting."+m.ID+" current" {
			t.Errorf("events %v", got)
		}
		m2, ag, _ := s.Agenda(ctx, delegate, m.ID)
		if m2.Status != StatusOpen || ag.Current == nil || ag.Current.Title != "Báo cáo chính trị" {
			t.Errorf("current: %+v %+v", m2, ag.Current)
		}
		if err := s.DeleteItem(ctx, officer, m.ID, ids["Báo cáo chính trị"]); err != nil {
			t.Fatal(err)
		}
		if m2, _ = s.Get(ctx, officer, m.ID); m2.CurrentItemID != "" {
			t.Errorf("deleted item still current")
		}

		// Subscriptions.
		for _, c := range []struct {
			p     *store.Principal
			topic string
			want  bool
		}{
			{delegate, Topic(m.ID), true}, {chairGrant, Topic(m.ID), true}, {outsider, Topic(m.ID), false},
			{delegate, "unit." + f.ids["P"], false}, {delegate, "meeting.../x", false}, {nil, Topic(m.ID), false},
		} {
			if ok, err := s.CanSubscribe(ctx, c.p, c.topic); ok != c.want || err != nil {
				t.Errorf("CanSubscribe(%v, %q) = %v, %v", c.p != nil, c.topic, ok, err)
			}
		}

		// Notes are the participant's own.
		if err := s.SaveNote(ctx, delegate, m.ID, "Ý kiến về mục 2\r\n- tăng đầu tư  "); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.Note(ctx, delegate, m.ID); n != "Ý kiến về mục 2\n- tăng đầu tư" {
			t.Errorf("note %q", n)
		}
		if n, _ := s.Note(ctx, thuky, m.ID); n != "" {
			t.Errorf("another participant reads the note: %q", n)
		}

		// Update with a stale version is refused.
		if _, err := s.Update(ctx, officer, m.ID, m.Version+1, in); code(err) != store.ECONFLICT {
			t.Errorf("stale update: %v", err)
		}
		in.Place = "Trung tâm Hội nghị tỉnh"
		if m2, err = s.Update(ctx, officer, m.ID, m.Version, in); err != nil {
			t.Fatal(err)
		}
		if m2.Place != "Trung tâm Hội nghị tỉnh" || m2.Version != m.Version+1 || m2.Status != StatusOpen {
			t.Errorf("updated %+v", m2)
		}

		// Merging the unit moves its meetings.
		err = db.Write(ctx, func(tx *store.Tx) error {
			n, err := s.MoveUnitData(ctx, tx, f.ids["P.A"], f.ids["P.B"])
			if err != nil || n != 1 {
				t.Errorf("moved %d, %v", n, err)
			}
			return tx.Audit(ctx, "test.merge", "unit", f.ids["P.A"], nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		if m2, _ = s.Get(ctx, officer, m.ID); m2.UnitCode != "P.B" {
			t.Errorf("after merge the meeting is at %s", m2.UnitCode)
		}
	})
}

func TestMinutes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := store.WithActor(context.Background(), "test")
		f := newFixture(t, db)
		ev := &events{}
		s := NewService(db, ev, nil)
		officer := f.as("bithu", store.RoleSecretary, "P")
		m, err := s.Create(ctx, officer, "P.A.C", Input{Kind: KindCell, Title: "Sinh hoạt chi bộ định kỳ tháng 12", Place: "Nhà văn hóa thôn C", StartsAt: day})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range [][2]string{{"chutoa", RoleChair}, {"thuky", RoleSecretariat}, {"daibieu", RoleMember}, {"daibieu2", RoleMember}} {
			if _, err := s.AddParticipant(ctx, officer, m.ID, ParticipantInput{Username: u[0], Role: u[1]}); err != nil {
				t.Fatal(err)
			}
		}
		delegate := f.as("daibieu", "", "")
		if err := s.Answer(ctx, delegate, m.ID, "", AnswerExcused, "Ốm"); err != nil {
			t.Fatal(err)
		}
		a, _ := s.AddItem(ctx, officer, m.ID, ItemInput{Title: "Đánh giá công tác tháng 11"})
		b, _ := s.AddItem(ctx, officer, m.ID, ItemInput{Title: "Phương hướng tháng 12"})
		thuky := f.as("thuky", "", "")
		if _, err := s.Draft(ctx, delegate, m.ID); code(err) != store.EFORBIDDEN {
			t.Errorf("a member reads the draft: %v", err)
		}
		d, err := s.Draft(ctx, thuky, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Version != 0 || len(d.Sections) != 2 || d.Sections[0].Title != "1. Đánh giá công tác tháng 11" || d.Chair != "Phạm Quang Hùng" || d.Secretary != "Hoàng Thị Mai" {
			t.Errorf("generated draft %+v", d)
		}
		if d.Header.Total != 4 || len(d.Header.Excused) != 1 || d.Header.Excused[0] != "Đặng Thị Hòa (Ốm)" || d.Header.Superior != "Đảng bộ xã A" {
			t.Errorf("header %+v", d.Header)
		}
		in := MinutesInput{Version: 0, Opening: d.Opening, Chair: d.Chair, Secretary: d.Secretary,
			Sections: []Section{{ItemID: a, Text: "Chi bộ hoàn thành 100% chỉ tiêu.\n\nĐồng chí Bình phát biểu."}, {ItemID: b, Text: "Tập trung thu hoạch vụ đông."}}}
		if _, err := s.SaveDraft(ctx, thuky, m.ID, MinutesInput{Version: 0, Sections: []Section{{ItemID: "nope", Text: "x"}}}); code(err) != store.EINVALID {
			t.Errorf("unknown section: %v", err)
		}
		saved, err := s.SaveDraft(ctx, thuky, m.ID, in)
		if err != nil || saved.Version != 1 {
			t.Fatalf("save: %+v %v", saved, err)
		}
		if _, err := s.SaveDraft(ctx, thuky, m.ID, in); code(err) != store.ECONFLICT {
			t.Errorf("stale save: %v", err)
		}
		if _, err := s.Finalize(ctx, thuky, m.ID, 0); code(err) != store.ECONFLICT {
			t.Errorf("finalize a stale version: %v", err)
		}
		if _, err := s.Final(ctx, delegate, m.ID, 0); code(err) != store.ENOTFOUND {
			t.Errorf("no final version yet: %v", err)
		}
		v1, err := s.Finalize(ctx, thuky, m.ID, 1)
		if err != nil || v1.Final != 1 || v1.SHA256 == "" {
			t.Fatalf("finalize: %+v %v", v1, err)
		}
		// A later agenda item and a correction make version 2; version 1 stays as it was.
		c, _ := s.AddItem(ctx, officer, m.ID, ItemInput{Title: "Công tác phát triển đảng viên"})
		in.Version = 1
		in.Sections = append(in.Sections, Section{ItemID: c, Text: "Giới thiệu quần chúng ưu tú."})
		in.Sections[1].Text = "Tập trung thu hoạch vụ đông; chuẩn bị Tết."
		if _, err := s.SaveDraft(ctx, thuky, m.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Finalize(ctx, thuky, m.ID, 2); err != nil {
			t.Fatal(err)
		}
		old, err := s.Final(ctx, delegate, m.ID, 1)
		if err != nil || len(old.Sections) != 2 || old.Sections[1].Text != "Tập trung thu hoạch vụ đông." || old.SHA256 != v1.SHA256 {
			t.Errorf("version 1 changed: %+v %v", old, err)
		}
		latest, err := s.Final(ctx, delegate, m.ID, 0)
		if err != nil || latest.Final != 2 || len(latest.Sections) != 3 {
			t.Errorf("latest %+v %v", latest, err)
		}
		vs, err := s.Versions(ctx, delegate, m.ID)
		if err != nil || len(vs) != 2 || vs[0].Version != 2 {
			t.Errorf("versions %+v %v", vs, err)
		}
		// The audit log holds the finalization with the content's digest.
		var n int
		if err := db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'minutes.finalize' AND object_id = ?`, m.ID+"/v1").Scan(&n); err != nil || n != 1 {
			t.Errorf("audit entries for v1: %d, %v", n, err)
		}
		// Tampering with a finalized version is detected when it is read.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE minutes_versions SET content = REPLACE(content, 'vụ đông', 'vụ xuân') WHERE version = 1`); err != nil {
				return err
			}
			return tx.Audit(ctx, "test.tamper", "meeting_minutes", m.ID, nil)
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Final(ctx, delegate, m.ID, 1); code(err) != store.EINTERNAL {
			t.Errorf("tampered minutes read back: %v", err)
		}
		if strings.Count(strings.Join(ev.take(), ","), " minutes") != 4 {
			t.Errorf("want 4 minutes events")
		}

		// The PDF: letterhead, title, header and content, readable back.
		var buf bytes.Buffer
		if err := MinutesPDF(&buf, latest, PDFOptions{Place: "Bắc Ninh", Created: day}); err != nil {
			t.Fatal(err)
		}
		text := pdfText(t, buf.Bytes())
		for _, want := range []string{"ĐẢNG CỘNG SẢN VIỆT NAM", "ĐẢNG BỘ XÃ A", "CHI BỘ THÔN C", "BIÊN BẢN", "Sinh hoạt chi bộ định kỳ tháng 12",
			"08 giờ 00 phút", "Nhà văn hóa thôn C", "Đặng Thị Hòa (Ốm)", "1. Đánh giá công tác tháng 11", "chuẩn bị Tết",
			"3. Công tác phát triển đảng viên", "THƯ KÝ", "CHỦ TRÌ", "Hoàng Thị Mai", "Phạm Quang Hùng", "Bản hoàn thành số 2"} {
			if !strings.Contains(text, want) {
				t.Errorf("PDF lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, "Dự thảo") {
			t.Errorf("a final version is marked as a draft")
		}
	})
}

// pdfText returns what pdftotext reads from pdf; the test is skipped without poppler-utils.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext not installed (Debian poppler-utils)")
	}
	p := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(p, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", p, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
