package member

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"dais/internal/store"
	"dais/internal/vntext"
)

// idAAD binds a sealed ID number to its member row.
func idAAD(memberID string) string { return "members.id_number:" + memberID }

// IDBlind is the blind-index value of a citizen ID number (search by ID goes through it).
func IDBlind(k *store.Keys, idNumber string) string {
	return fmt.Sprintf("%x", k.Blind("member.id_number", idNumber))
}

// snapshot is what a version stores: the record as it became, without the ID number in
// clear (only its last three digits, so a diff can say it changed).
type snapshot struct {
	Record
	IDNumber    string `json:"id_number"`
	PhotoSHA256 string `json:"photo_sha256,omitempty"`
	StatusDate  string `json:"status_date,omitempty"`
	Reason      string `json:"status_reason,omitempty"`
}

func maskID(id string) string {
	if len(id) < 4 {
		return ""
	}
	return strings.Repeat("•", len(id)-3) + id[len(id)-3:]
}

func (m *Member) record() Record {
	return Record{UnitCode: m.UnitCode, FullName: m.FullName, OtherNames: m.OtherNames, Gender: m.Gender, BirthDate: m.BirthDate,
		Hometown: m.Hometown, Residence: m.Residence, Ethnicity: m.Ethnicity, Religion: m.Religion, IDNumber: m.IDNumber,
		CardNumber: m.CardNumber, AdmissionDate: m.AdmissionDate, OfficialDate: m.OfficialDate, Positions: m.Positions,
		Education: m.Education, ProfessionalLevel: m.ProfessionalLevel, TheoryLevel: m.TheoryLevel, Status: m.Status}
}

func (m *Member) snapshot() snapshot {
	r := m.record()
	r.IDNumber = ""
	return snapshot{Record: r, IDNumber: maskID(m.IDNumber), PhotoSHA256: m.PhotoSHA256, StatusDate: m.StatusDate, Reason: m.StatusReason}
}

// fromRecord fills m's profile fields from a validated record.
func (m *Member) fromRecord(r Record) {
	m.FullName, m.OtherNames, m.Gender, m.BirthDate = r.FullName, r.OtherNames, r.Gender, r.BirthDate
	m.Hometown, m.Residence, m.Ethnicity, m.Religion = r.Hometown, r.Residence, r.Ethnicity, r.Religion
	m.IDNumber, m.CardNumber, m.AdmissionDate, m.OfficialDate = r.IDNumber, r.CardNumber, r.AdmissionDate, r.OfficialDate
	m.Positions, m.Education, m.ProfessionalLevel, m.TheoryLevel = r.Positions, r.Education, r.ProfessionalLevel, r.TheoryLevel
	if r.Status != "" {
		m.Status = r.Status
	}
}

const insertMemberSQL = `INSERT INTO members (id, unit_id, full_name, other_names, gender, birth_date, card_number,
		id_number_sealed, id_number_blind, ethnicity, religion, hometown, residence, admission_date, official_date, positions,
		education, professional_level, theory_level, photo_sha256, status, status_date, status_reason, name_key, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`

// memberInsertArgs is the number of parameters of insertMemberSQL.
const memberInsertArgs = 26

const insertVersionSQL = `INSERT INTO member_versions (member_id, version, at, actor, reason, data) VALUES (?, ?, ?, ?, ?, ?)`

// newMemberArgs completes a new member (ID, version, default status) and returns the
// parameters of insertMemberSQL, its ID number sealed to the row.
func newMemberArgs(tx *store.Tx, m *Member, now time.Time) []any {
	if m.ID == "" {
		m.ID = store.NewID()
	}
	m.Version, m.UpdatedAt = 1, now
	if m.Status == "" {
		m.Status = StatusOfficial
		if m.OfficialDate == "" {
			m.Status = StatusProbationary
		}
	}
	var sealed, blind any
	if m.IDNumber != "" {
		sealed, blind = tx.Keys().Seal([]byte(m.IDNumber), idAAD(m.ID)), IDBlind(tx.Keys(), m.IDNumber)
	}
	return []any{m.ID, m.UnitID, m.FullName, m.OtherNames, m.Gender, m.BirthDate, m.CardNumber, sealed, blind, m.Ethnicity, m.Religion,
		m.Hometown, m.Residence, m.AdmissionDate, m.OfficialDate, m.Positions, m.Education, m.ProfessionalLevel, m.TheoryLevel,
		m.PhotoSHA256, m.Status, m.StatusDate, m.StatusReason, vntext.Fold(m.FullName), now, now}
}

// versionArgs returns the parameters of insertVersionSQL for m as it is now.
func versionArgs(tx *store.Tx, m *Member, reason string, at time.Time) ([]any, error) {
	data, err := json.Marshal(m.snapshot())
	if err != nil {
		return nil, err
	}
	return []any{m.ID, m.Version, at, tx.Actor(), reason, string(data)}, nil
}

// insertTx writes a new member and its first version (no audit entry: callers add it,
// one per member or one per import batch).
func insertTx(ctx context.Context, tx *store.Tx, m *Member, reason string) error {
	now := store.Now()
	if _, err := tx.ExecContext(ctx, insertMemberSQL, newMemberArgs(tx, m, now)...); err != nil {
		if store.IsUniqueViolation(err) {
			return &store.Error{Code: store.ECONFLICT, Key: "mem.card_taken", Field: "card_number", Message: "card number " + m.CardNumber + " already exists"}
		}
		return fmt.Errorf("insert member: %w", err)
	}
	return addVersion(ctx, tx, m, reason, now)
}

func addVersion(ctx context.Context, tx *store.Tx, m *Member, reason string, at time.Time) error {
	args, err := versionArgs(tx, m, reason, at)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, insertVersionSQL, args...); err != nil {
		return fmt.Errorf("insert member version: %w", err)
	}
	return nil
}

// AddTx inserts a member inside tx with its first version and its audit entry (demo
// seeding and tests; pages use Create, files use an Importer).
func AddTx(ctx context.Context, tx *store.Tx, m *Member) error {
	if err := insertTx(ctx, tx, m, "created"); err != nil {
		return err
	}
	return tx.Audit(ctx, "member.create", "member", m.ID, m.snapshot())
}

// unitForWrite finds a unit by code where p may write members (p nil: the system).
func unitForWrite(ctx context.Context, q store.Querier, p *store.Principal, code string) (id, path, name string, err error) {
	err = q.QueryRowContext(ctx, `SELECT id, path, name FROM units WHERE code = ? AND dissolved_at IS NULL`, strings.ToUpper(code)).Scan(&id, &path, &name)
	if err != nil || (p != nil && !p.Can(store.PermMemberRead, path)) {
		return "", "", "", &store.Error{Code: store.EINVALID, Key: "mem.unit_unknown", Field: "unit_code", Message: "unknown unit code " + code}
	}
	if p != nil && !p.Can(store.PermMemberWrite, path) {
		return "", "", "", &store.Error{Code: store.EFORBIDDEN, Key: "err.forbidden", Field: "unit_code", Message: "not allowed to add members to " + code}
	}
	return id, path, name, nil
}

// Create adds a member from a record (member.write on the record's unit).
func (s *Service) Create(ctx context.Context, p *store.Principal, r Record, reason string) (Member, error) {
	r.Normalize()
	if err := AsError(r.Validate(store.Now())); err != nil {
		return Member{}, err
	}
	var m Member
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		unitID, path, name, err := unitForWrite(ctx, tx, p, r.UnitCode)
		if err != nil {
			return err
		}
		m = Member{UnitID: unitID, UnitCode: r.UnitCode, UnitName: name, unitPath: path}
		m.fromRecord(r)
		if err := insertTx(ctx, tx, &m, reason); err != nil {
			return err
		}
		return tx.Audit(ctx, "member.create", "member", m.ID, m.snapshot())
	})
	return m, err
}

// Patch is an edit of a member's profile: nil fields are left as they are. Version is the
// version the editor saw: a concurrent edit makes the update fail with ECONFLICT. Reason
// is recorded in the record's history.
type Patch struct {
	FullName          *string `json:"full_name"`
	OtherNames        *string `json:"other_names"`
	Gender            *string `json:"gender"`
	BirthDate         *string `json:"birth_date"`
	Hometown          *string `json:"hometown"`
	Residence         *string `json:"residence"`
	Ethnicity         *string `json:"ethnicity"`
	Religion          *string `json:"religion"`
	IDNumber          *string `json:"id_number"`
	AdmissionDate     *string `json:"admission_date"`
	OfficialDate      *string `json:"official_date"`
	Positions         *string `json:"positions"`
	Education         *string `json:"education"`
	ProfessionalLevel *string `json:"professional_level"`
	TheoryLevel       *string `json:"theory_level"`
	Reason            string  `json:"reason"`
	Version           int     `json:"version"`
}

func (p Patch) apply(r *Record) {
	for _, f := range []struct {
		src *string
		dst *string
	}{{p.FullName, &r.FullName}, {p.OtherNames, &r.OtherNames}, {p.Gender, &r.Gender}, {p.BirthDate, &r.BirthDate},
		{p.Hometown, &r.Hometown}, {p.Residence, &r.Residence}, {p.Ethnicity, &r.Ethnicity}, {p.Religion, &r.Religion},
		{p.IDNumber, &r.IDNumber}, {p.AdmissionDate, &r.AdmissionDate}, {p.OfficialDate, &r.OfficialDate},
		{p.Positions, &r.Positions}, {p.Education, &r.Education}, {p.ProfessionalLevel, &r.ProfessionalLevel}, {p.TheoryLevel, &r.TheoryLevel}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
}

// Update applies a patch (member.write on the member's unit) as a new version.
func (s *Service) Update(ctx context.Context, p *store.Principal, id string, patch Patch) (Member, error) {
	m, err := s.Get(ctx, p, id)
	if err != nil {
		return Member{}, err
	}
	if !p.Can(store.PermMemberWrite, m.unitPath) {
		return Member{}, &store.Error{Code: store.EFORBIDDEN, Key: "err.forbidden", Message: "not allowed to edit this member"}
	}
	if patch.Version < 1 {
		return Member{}, store.Invalid("version", "err.required", "%s is required", "version")
	}
	if err := s.reveal(&m); err != nil {
		return Member{}, err
	}
	r := m.record()
	patch.apply(&r)
	r.Normalize()
	if errs := r.Validate(store.Now()); len(errs) > 0 {
		return Member{}, AsError(errs)
	}
	reason := strings.TrimSpace(patch.Reason)
	if reason == "" {
		reason = "updated"
	}
	if len(reason) > 500 {
		return Member{}, store.Invalid("reason", "err.too_long", "too long (at most %d characters)", 500)
	}
	m.fromRecord(r)
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := updateTx(ctx, tx, &m, patch.Version, reason); err != nil {
			return err
		}
		return tx.Audit(ctx, "member.update", "member", m.ID, m.snapshot())
	})
	if err != nil {
		return Member{}, err
	}
	return m, nil
}

// updateTx writes m's fields if the stored version is still expect, as version expect+1.
func updateTx(ctx context.Context, tx *store.Tx, m *Member, expect int, reason string) error {
	var sealed, blind any
	if m.IDNumber != "" {
		sealed, blind = tx.Keys().Seal([]byte(m.IDNumber), idAAD(m.ID)), IDBlind(tx.Keys(), m.IDNumber)
	}
	if expect < 1 || expect > math.MaxInt32 {
		// No stored version is out of the column's range (PostgreSQL INTEGER would refuse the
		// argument with an error, not a miss): the client's copy cannot be current.
		return &store.Error{Code: store.ECONFLICT, Key: "err.conflict", Message: "the record was changed by someone else"}
	}
	now := store.Now()
	res, err := tx.ExecContext(ctx, `UPDATE members SET unit_id = ?, full_name = ?, other_names = ?, gender = ?, birth_date = ?,
		id_number_sealed = ?, id_number_blind = ?, ethnicity = ?, religion = ?, hometown = ?, residence = ?, admission_date = ?,
		official_date = ?, positions = ?, education = ?, professional_level = ?, theory_level = ?, photo_sha256 = ?, status = ?,
		status_date = ?, status_reason = ?, name_key = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		m.UnitID, m.FullName, m.OtherNames, m.Gender, m.BirthDate, sealed, blind, m.Ethnicity, m.Religion, m.Hometown, m.Residence,
		m.AdmissionDate, m.OfficialDate, m.Positions, m.Education, m.ProfessionalLevel, m.TheoryLevel, m.PhotoSHA256, m.Status,
		m.StatusDate, m.StatusReason, vntext.Fold(m.FullName), now, m.ID, expect)
	if err != nil {
		return fmt.Errorf("update member: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return &store.Error{Code: store.ECONFLICT, Key: "err.conflict", Message: "the record was changed by someone else"}
	}
	m.Version, m.UpdatedAt = expect+1, now
	return addVersion(ctx, tx, m, reason, now)
}

// reveal decrypts the member's ID number.
func (s *Service) reveal(m *Member) error {
	if len(m.idSealed) == 0 {
		m.IDNumber = ""
		return nil
	}
	b, err := s.db.Keys.Open(m.idSealed, idAAD(m.ID))
	if err != nil {
		return err
	}
	m.IDNumber = string(b)
	return nil
}

// statusMoves lists the status changes a person may make (in_transit is the transfers').
var statusMoves = map[string][]string{
	StatusProbationary: {StatusOfficial, StatusRemoved, StatusExpelled, StatusDeceased},
	StatusOfficial:     {StatusExpelled, StatusRemoved, StatusDeceased},
}

// ChangeStatus moves a member along the status lifecycle with a date and a reason.
func (s *Service) ChangeStatus(ctx context.Context, p *store.Principal, id, to, date, reason string, version int) (Member, error) {
	m, err := s.Get(ctx, p, id)
	if err != nil {
		return Member{}, err
	}
	if !p.Can(store.PermMemberWrite, m.unitPath) {
		return Member{}, &store.Error{Code: store.EFORBIDDEN, Key: "err.forbidden", Message: "not allowed to edit this member"}
	}
	allowed := false
	for _, s := range statusMoves[m.Status] {
		allowed = allowed || s == to
	}
	if !allowed {
		return Member{}, &store.Error{Code: store.EINVALID, Key: "mem.status_move", Field: "status", Message: fmt.Sprintf("cannot go from %s to %s", m.Status, to)}
	}
	d, err := time.Parse(time.DateOnly, date)
	if err != nil || d.After(store.Now()) || (m.AdmissionDate != "" && date < m.AdmissionDate) {
		return Member{}, store.Invalid("status_date", "mem.date_invalid", "must be a date (YYYY-MM-DD) between admission and today")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 500 {
		return Member{}, store.Invalid("status_reason", "mem.reason_required", "a reason (at most 500 characters) is required")
	}
	if err := s.reveal(&m); err != nil {
		return Member{}, err
	}
	m.Status, m.StatusDate, m.StatusReason = to, date, reason
	if to == StatusOfficial {
		m.OfficialDate = date
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := updateTx(ctx, tx, &m, version, "status: "+to+" — "+reason); err != nil {
			return err
		}
		return tx.Audit(ctx, "member.status", "member", m.ID, m.snapshot())
	})
	return m, err
}

// MoverName names the member rows in a unit merge's history.
func (s *Service) MoverName() string { return "members" }

// MoveUnitData moves every member of a merged unit to the target unit, each with a new
// version saying why (org.UnitMover).
func (s *Service) MoveUnitData(ctx context.Context, tx *store.Tx, fromUnitID, toUnitID string) (int, error) {
	return s.moveWhere(ctx, tx, fromUnitID, toUnitID, nil)
}

// MoveMembers moves chosen members of a split unit to a new unit (org.MemberMover).
func (s *Service) MoveMembers(ctx context.Context, tx *store.Tx, fromUnitID, toUnitID string, ids []string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	return s.moveWhere(ctx, tx, fromUnitID, toUnitID, ids)
}

func (s *Service) moveWhere(ctx context.Context, tx *store.Tx, from, to string, ids []string) (int, error) {
	q := `SELECT ` + memberCols + ` FROM members m JOIN units u ON u.id = m.unit_id WHERE m.unit_id = ?`
	args := []any{from}
	if ids != nil {
		q += ` AND m.id IN (?` + strings.Repeat(", ?", len(ids)-1) + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	ms, err := store.Collect(rows, err, scanMember)
	if err != nil {
		return 0, fmt.Errorf("members to move: %w", err)
	}
	if ids != nil && len(ms) != len(ids) {
		return 0, store.Invalid("member_ids", "mem.not_in_unit", "%d of the members named are not in the unit", len(ids)-len(ms))
	}
	var toCode string
	if err := tx.QueryRowContext(ctx, `SELECT code FROM units WHERE id = ?`, to).Scan(&toCode); err != nil {
		return 0, err
	}
	for i := range ms {
		m := &ms[i]
		if len(m.idSealed) > 0 {
			b, err := tx.Keys().Open(m.idSealed, idAAD(m.ID))
			if err != nil {
				return 0, err
			}
			m.IDNumber = string(b)
		}
		reason := "unit " + m.UnitCode + " → " + toCode
		m.UnitID, m.UnitCode = to, toCode
		if err := updateTx(ctx, tx, m, m.Version, reason); err != nil {
			return 0, err
		}
	}
	return len(ms), nil
}
