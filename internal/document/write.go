package document

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"dais/internal/store"
)

// NewDocument is the input of Upload.
type NewDocument struct {
	UnitCode       string   `json:"unit_code"`
	MeetingID      string   `json:"meeting_id"`
	Title          string   `json:"title"`
	Classification string   `json:"classification"`
	ReadRoles      []string `json:"read_roles"`
	State          string   `json:"state"` // draft (default) or final
	Note           string   `json:"note"`
	Filename       string   `json:"filename"`
	Data           []byte   `json:"-"`
}

// NewVersion is the input of AddVersion.
type NewVersion struct {
	Base     int    // the version the uploader saw as current; 0 skips the check
	State    string // "" keeps the document's state
	Note     string
	Filename string
	Data     []byte
}

const (
	maxTitle = 300
	maxNote  = 2000
)

// cleanLine validates a one-line text field: NFC, trimmed, no control characters.
func cleanLine(field, s string, required bool, maxLen int) (string, error) {
	s = strings.TrimSpace(norm.NFC.String(s))
	switch {
	case !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl):
		return "", store.Invalid(field, "doc.text_invalid", "%s contains invalid characters", field)
	case required && s == "":
		return "", store.Invalid(field, "doc.required", "%s is required", field)
	case utf8.RuneCountInString(s) > maxLen:
		return "", store.Invalid(field, "err.too_long", "%s is longer than %d characters", field, maxLen)
	}
	return s, nil
}

// cleanText is cleanLine for a multi-line text (notes): newlines and tabs allowed.
func cleanText(field, s string, maxLen int) (string, error) {
	s = strings.TrimSpace(norm.NFC.String(strings.ReplaceAll(s, "\r\n", "\n")))
	switch {
	case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		return "", store.Invalid(field, "doc.text_invalid", "%s contains invalid characters", field)
	case utf8.RuneCountInString(s) > maxLen:
		return "", store.Invalid(field, "err.too_long", "%s is longer than %d characters", field, maxLen)
	}
	return s, nil
}

// cleanFilename keeps the last path element of an uploaded name, printable, at most 200
// characters: it is only shown.
func cleanFilename(s string) string {
	s = s[strings.LastIndexAny(s, `/\`)+1:]
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, norm.NFC.String(strings.ToValidUTF8(s, "")))
	if r := []rune(s); len(r) > 200 {
		s = string(r[len(r)-200:])
	}
	return strings.TrimSpace(s)
}

func parseState(s string, def string) (string, error) {
	switch strings.TrimSpace(s) {
	case "":
		return def, nil
	case StateDraft:
		return StateDraft, nil
	case StateFinal:
		return StateFinal, nil
	}
	return "", store.Invalid("state", "doc.state_bad", "state must be draft or final")
}

func parseRoles(in []string) ([]string, error) {
	var out []string
	allowed := ReadRoles()
	for _, r := range in {
		for _, r := range strings.Split(r, ",") {
			r = strings.TrimSpace(r)
			if r == "" {
				continue
			}
			if !slices.Contains(allowed, r) {
				return nil, store.Invalid("read_roles", "doc.role", "unknown role %q", r)
			}
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	slices.SortFunc(out, func(a, b string) int { return slices.Index(allowed, a) - slices.Index(allowed, b) })
	return out, nil
}

// snapshot is what the audit log digests for a document: its metadata and the content
// address of the version, never its text.
func (d *Document) snapshot(sha string) map[string]any {
	return map[string]any{"unit_id": d.UnitID, "meeting_id": d.MeetingID, "title": d.Title, "classification": d.Classification,
		"read_roles": d.ReadRoles, "state": d.State, "version": d.Version, "sha256": sha}
}

// unit finds a unit by code with its path.
func (s *Service) unit(ctx context.Context, code string) (id, path, name string, err error) {
	err = s.db.R().QueryRowContext(ctx, `SELECT id, path, name FROM units WHERE code = ? AND dissolved_at IS NULL`, code).Scan(&id, &path, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", "", store.NotFound("unit")
	}
	return id, path, name, err
}

// upload is an uploaded file made ready to store: its note checked, its content
// converted (and refused if it must be), the stored form in the blob store.
type upload struct {
	note string
	converted
	sha    string
	blocks []byte // the canonical paragraphs as JSON
}

func (s *Service) prepare(ctx context.Context, note string, data []byte, filename, title string) (upload, error) {
	var up upload
	var err error
	if up.note, err = cleanText("note", note, maxNote); err != nil {
		return up, err
	}
	if up.converted, err = s.convert(ctx, data, filename, title); err != nil {
		return up, err
	}
	if up.sha, err = s.blobs.Put(up.stored); err != nil {
		return up, err
	}
	up.blocks, err = json.Marshal(up.converted.blocks)
	return up, err
}

// Upload checks and converts a file and creates a document with it as version 1. The
// caller needs unit.write on the unit. Confidential documents are refused, by their
// stated classification or by a stamp on their first lines.
func (s *Service) Upload(ctx context.Context, p *store.Principal, in NewDocument) (Document, error) {
	var d Document
	var err error
	if in.UnitCode, err = cleanLine("unit_code", in.UnitCode, true, 64); err != nil {
		return d, err
	}
	unitID, unitPath, unitName, err := s.unit(ctx, in.UnitCode)
	if err != nil {
		return d, err
	}
	if !p.Can(store.PermUnitWrite, unitPath) {
		if p.Can(store.PermUnitRead, unitPath) {
			return d, &store.Error{Code: store.EFORBIDDEN, Key: "doc.forbidden_upload", Message: "not allowed to upload documents for this unit"}
		}
		return d, store.NotFound("unit")
	}
	if d.Classification, err = ParseClassification(in.Classification); err != nil {
		return d, err
	}
	if d.Title, err = cleanLine("title", in.Title, true, maxTitle); err != nil {
		return d, err
	}
	if secretWords[fold(d.Title)] {
		return d, errConfidential()
	}
	if d.ReadRoles, err = parseRoles(in.ReadRoles); err != nil {
		return d, err
	}
	if d.State, err = parseState(in.State, StateDraft); err != nil {
		return d, err
	}
	if in.MeetingID = strings.TrimSpace(in.MeetingID); in.MeetingID != "" && !validID(in.MeetingID) {
		return d, store.Invalid("meeting_id", "doc.meeting_bad", "meeting_id is not a meeting ID")
	}
	up, err := s.prepare(ctx, in.Note, in.Data, in.Filename, d.Title)
	if err != nil {
		return d, err
	}
	note, c, sha, blocks := up.note, up.converted, up.sha, up.blocks
	now := store.Now()
	d.ID, d.UnitID, d.UnitCode, d.UnitName, d.unitPath = store.NewID(), unitID, in.UnitCode, unitName, unitPath
	d.MeetingID, d.Version, d.Kind, d.CreatedAt, d.UpdatedAt = in.MeetingID, 1, c.kind, now, now
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := s.blobs.Record(ctx, tx, sha, c.kind.MediaType(), len(c.stored)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO documents (id, unit_id, meeting_id, title, classification, read_roles, state,
			current_version, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
			d.ID, d.UnitID, d.MeetingID, d.Title, d.Classification, strings.Join(d.ReadRoles, ","), d.State, now, tx.Actor(), now); err != nil {
			return fmt.Errorf("insert document: %w", err)
		}
		if err := insertVersion(ctx, tx, d.ID, 1, c, sha, cleanFilename(in.Filename), note, string(blocks)); err != nil {
			return err
		}
		return tx.Audit(ctx, "document.create", "document", d.ID, d.snapshot(sha))
	})
	if err != nil {
		return Document{}, err
	}
	s.publish(ctx, &d)
	return d, nil
}

func insertVersion(ctx context.Context, tx *store.Tx, id string, n int, c converted, sha, filename, note, blocks string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO document_versions (document_id, version, kind, blob_sha256, size, filename, note,
		blocks, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, n, string(c.kind), sha, len(c.stored), filename, note, blocks, store.Now(), tx.Actor()); err != nil {
		if store.IsUniqueViolation(err) {
			return &store.Error{Code: store.ECONFLICT, Key: "doc.version_conflict", Message: "another version was uploaded at the same time"}
		}
		return fmt.Errorf("insert document version: %w", err)
	}
	return nil
}

// AddVersion checks and converts a new file for a document the caller manages and makes
// it the current version; older versions stay. With in.Base set, a document whose
// current version is no longer Base is a conflict (someone uploaded meanwhile).
func (s *Service) AddVersion(ctx context.Context, p *store.Principal, id string, in NewVersion) (Document, error) {
	d, err := s.Get(ctx, p, id)
	if err != nil {
		return d, err
	}
	if !d.CanManage(p) {
		return d, &store.Error{Code: store.EFORBIDDEN, Key: "doc.forbidden_upload", Message: "not allowed to upload versions of this document"}
	}
	state, err := parseState(in.State, d.State)
	if err != nil {
		return d, err
	}
	up, err := s.prepare(ctx, in.Note, in.Data, in.Filename, d.Title)
	if err != nil {
		return d, err
	}
	note, c, sha, blocks := up.note, up.converted, up.sha, up.blocks
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		var cur int
		if err := tx.QueryRowContext(ctx, `SELECT current_version FROM documents WHERE id = ?`, id).Scan(&cur); err != nil {
			return fmt.Errorf("read document: %w", err)
		}
		if in.Base > 0 && cur != in.Base {
			return &store.Error{Code: store.ECONFLICT, Key: "doc.version_conflict", Message: fmt.Sprintf("version %d was uploaded meanwhile", cur)}
		}
		if err := s.blobs.Record(ctx, tx, sha, c.kind.MediaType(), len(c.stored)); err != nil {
			return err
		}
		if err := insertVersion(ctx, tx, id, cur+1, c, sha, cleanFilename(in.Filename), note, string(blocks)); err != nil {
			return err
		}
		now := store.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE documents SET current_version = ?, state = ?, updated_at = ? WHERE id = ? AND current_version = ?`,
			cur+1, state, now, id, cur); err != nil {
			return fmt.Errorf("update document: %w", err)
		}
		d.Version, d.State, d.Kind, d.UpdatedAt = cur+1, state, c.kind, now
		return tx.Audit(ctx, "document.version", "document", id, d.snapshot(sha))
	})
	if err != nil {
		return Document{}, err
	}
	s.publish(ctx, &d)
	return d, nil
}

// publish tells a meeting's screens that its documents changed. The commit is done: a
// failed publish is logged, and clients catch up on their next full render.
func (s *Service) publish(ctx context.Context, d *Document) {
	if s.pub == nil || d.MeetingID == "" {
		return
	}
	data, _ := json.Marshal(map[string]any{"document_id": d.ID, "version": d.Version, "title": d.Title})
	if _, err := s.pub.Publish(ctx, "meeting."+d.MeetingID, "documents", data); err != nil {
		s.opts.Logger.ErrorContext(ctx, "document: publish", "document", d.ID, "err", err)
	}
}

// Mark is a reader's private note or bookmark on one paragraph.
type Mark struct {
	ID   string `json:"id"`
	Para int    `json:"para"`
	Kind string `json:"kind"` // note or bookmark
	Body string `json:"body,omitempty"`
}

// Marks returns p's own notes and bookmarks on a version of a readable document.
func (s *Service) Marks(ctx context.Context, p *store.Principal, id string, version int) ([]Mark, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return nil, err
	}
	rows, err := s.db.R().QueryContext(ctx, `SELECT id, para, kind, body FROM document_marks
		WHERE user_id = ? AND document_id = ? AND version = ? ORDER BY para, kind`, p.UserID, id, version)
	out, err := store.Collect(rows, err, func(r store.Scanner) (Mark, error) {
		var m Mark
		return m, r.Scan(&m.ID, &m.Para, &m.Kind, &m.Body)
	})
	if err != nil {
		return nil, fmt.Errorf("read marks: %w", err)
	}
	return out, nil
}

// SetNote saves p's private note on paragraph para of a version (an empty body deletes
// it) and returns the notes and bookmarks of that paragraph.
func (s *Service) SetNote(ctx context.Context, p *store.Principal, id string, version, para int, body string) error {
	body, err := cleanText("body", body, maxNote)
	if err != nil {
		return err
	}
	return s.mark(ctx, p, id, version, para, "note", body, body != "")
}

// SetBookmark sets or clears p's bookmark on paragraph para of a version.
func (s *Service) SetBookmark(ctx context.Context, p *store.Principal, id string, version, para int, on bool) error {
	return s.mark(ctx, p, id, version, para, "bookmark", "", on)
}

func (s *Service) mark(ctx context.Context, p *store.Principal, id string, version, para int, kind, body string, keep bool) error {
	_, v, err := s.Version(ctx, p, id, version)
	if err != nil {
		return err
	}
	if para < 1 || para > len(v.Blocks) {
		return store.Invalid("para", "doc.para_bad", "paragraph %d does not exist in version %d", para, v.Version)
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		var markID string
		err := tx.QueryRowContext(ctx, `SELECT id FROM document_marks WHERE document_id = ? AND version = ? AND para = ? AND user_id = ? AND kind = ?`,
			id, v.Version, para, p.UserID, kind).Scan(&markID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read mark: %w", err)
		}
		now := store.Now()
		action := "document.mark_delete"
		switch {
		case !keep && markID == "":
			return errNothing // clearing what is not there: done, nothing to write
		case !keep:
			_, err = tx.ExecContext(ctx, `DELETE FROM document_marks WHERE id = ?`, markID)
		case markID == "":
			markID, action = store.NewID(), "document.mark_add"
			_, err = tx.ExecContext(ctx, `INSERT INTO document_marks (id, document_id, version, para, user_id, kind, body, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, markID, id, v.Version, para, p.UserID, kind, body, now, now)
		default:
			action = "document.mark_update"
			_, err = tx.ExecContext(ctx, `UPDATE document_marks SET body = ?, updated_at = ? WHERE id = ?`, body, now, markID)
		}
		if err != nil {
			return fmt.Errorf("write mark: %w", err)
		}
		// The log records that a reader marked a paragraph, not what they wrote.
		return tx.Audit(ctx, action, "document_mark", markID, map[string]any{"document_id": id, "version": v.Version, "para": para,
			"kind": kind, "deleted": !keep, "at": now})
	})
	if errors.Is(err, errNothing) {
		return nil
	}
	return err
}

var errNothing = errors.New("nothing to write")
