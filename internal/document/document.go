// Package document keeps the documents of units and meetings: uploads of PDF, DOCX,
// Markdown, HTML and images, checked from their content and turned into one canonical,
// sanitized form; drafts with every version kept and a paragraph-level diff between any
// two; who may read each document (by role) and its classification (public, internal,
// restricted; confidential material is refused at upload); an e-book reader with private
// notes and bookmarks; and EPUB and PDF downloads, watermarked for restricted documents.
package document

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"dais/internal/store"
)

// Meeting roles (internal/meeting's participants); documents of a meeting name which of
// them may read.
const (
	RolePresidium   = "presidium"
	RoleSecretariat = "secretariat"
	RoleDelegate    = "delegate"
	RoleGuest       = "guest"
	RoleCounting    = "counting"
)

// MeetingRoles lists the meeting participants' roles in display order.
var MeetingRoles = []string{RolePresidium, RoleSecretariat, RoleDelegate, RoleGuest, RoleCounting}

// ReadRoles lists every role a document may be opened to: meeting roles, then the unit
// roles of store.Roles not already named.
func ReadRoles() []string {
	out := slices.Clone(MeetingRoles)
	for _, r := range store.Roles {
		if !slices.Contains(out, r) && r != store.RoleAdmin {
			out = append(out, r)
		}
	}
	return out
}

// Audience tells a meeting participant's role (internal/meeting implements it).
type Audience interface {
	RoleIn(ctx context.Context, meetingID, userID string) (role string, ok bool, err error)
}

// Publisher publishes a live event after a commit (internal/live implements it).
type Publisher interface {
	Publish(ctx context.Context, topic, typ string, data []byte) (uint64, error)
}

// Options configure the service.
type Options struct {
	MaxBytes int64   // largest upload; 0 means DefaultMaxBytes
	PDFText  PDFText // nil means Pdftotext
	Logger   *slog.Logger
}

// DefaultMaxBytes is the default upload limit: 50 MB.
const DefaultMaxBytes = 50 << 20

// Service reads and writes documents.
type Service struct {
	db       *store.DB
	blobs    *store.Blobs
	audience Audience  // nil: no meeting roles known
	pub      Publisher // nil: no live events
	opts     Options
	now      func() time.Time
}

// NewService returns the document service. audience and pub may be nil.
func NewService(db *store.DB, blobs *store.Blobs, audience Audience, pub Publisher, opts Options) *Service {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.PDFText == nil {
		opts.PDFText = Pdftotext
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Service{db: db, blobs: blobs, audience: audience, pub: pub, opts: opts, now: time.Now}
}

// MaxBytes is the upload limit in force.
func (s *Service) MaxBytes() int64 { return s.opts.MaxBytes }

// Document is a document as stored, with its current version's summary.
type Document struct {
	ID             string    `json:"id"`
	UnitID         string    `json:"unit_id"`
	UnitCode       string    `json:"unit_code"`
	UnitName       string    `json:"unit_name"`
	MeetingID      string    `json:"meeting_id,omitempty"`
	Title          string    `json:"title"`
	Classification string    `json:"classification"`
	ReadRoles      []string  `json:"read_roles"`
	State          string    `json:"state"`
	Version        int       `json:"version"`
	Kind           Kind      `json:"kind"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	unitPath       string
}

// Version is one uploaded version of a document.
type Version struct {
	Version   int       `json:"version"`
	Kind      Kind      `json:"kind"`
	Size      int64     `json:"size"`
	Filename  string    `json:"filename"`
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	Blocks    []Block   `json:"-"`
	sha       string
}

// States of a document.
const (
	StateDraft = "draft"
	StateFinal = "final"
)

const docCols = `d.id, d.unit_id, u.code, u.name, u.path, d.meeting_id, d.title, d.classification, d.read_roles, d.state,
	d.current_version, v.kind, d.created_at, d.updated_at`

const docFrom = ` FROM documents d JOIN units u ON u.id = d.unit_id
	JOIN document_versions v ON v.document_id = d.id AND v.version = d.current_version`

func scanDoc(row store.Scanner) (Document, error) {
	var d Document
	var roles string
	err := row.Scan(&d.ID, &d.UnitID, &d.UnitCode, &d.UnitName, &d.unitPath, &d.MeetingID, &d.Title, &d.Classification, &roles,
		&d.State, &d.Version, &d.Kind, &d.CreatedAt, &d.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return d, store.NotFound("document")
	}
	if err != nil {
		return d, fmt.Errorf("scan document: %w", err)
	}
	d.ReadRoles = splitRoles(roles)
	return d, nil
}

func splitRoles(s string) []string {
	out := []string{}
	for _, r := range strings.Split(s, ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}

// CanManage reports whether p may upload versions of d and change it: unit.write on the
// document's unit (its officers, and those above).
func (d *Document) CanManage(p *store.Principal) bool {
	return p != nil && p.Can(store.PermUnitWrite, d.unitPath)
}

// canRead decides whether p may open d: its managers always; anyone signed in for a
// public document; otherwise a holder of one of the document's read roles, either as a
// unit role related to the document's unit (granted on it, above it, or inside its
// subtree: a provincial report is read by the province's cells) or as a participant's
// role in the document's meeting.
func (s *Service) canRead(ctx context.Context, p *store.Principal, d *Document) (bool, error) {
	if p == nil {
		return false, nil
	}
	if d.CanManage(p) || d.Classification == Public {
		return true, nil
	}
	for _, g := range p.Grants {
		related := strings.HasPrefix(d.unitPath, g.UnitPath) || strings.HasPrefix(g.UnitPath, d.unitPath)
		if related && slices.Contains(d.ReadRoles, g.Role) {
			return true, nil
		}
	}
	if d.MeetingID != "" && s.audience != nil {
		role, ok, err := s.audience.RoleIn(ctx, d.MeetingID, p.UserID)
		if err != nil {
			return false, err
		}
		if ok && slices.Contains(d.ReadRoles, role) {
			return true, nil
		}
	}
	return false, nil
}

// Get returns a document p may read, or ENOTFOUND (a document one may not read does not
// exist for them).
func (s *Service) Get(ctx context.Context, p *store.Principal, id string) (Document, error) {
	if !validID(id) {
		return Document{}, store.NotFound("document")
	}
	d, err := scanDoc(s.db.R().QueryRowContext(ctx, `SELECT `+docCols+docFrom+` WHERE d.id = ?`, id))
	if err != nil {
		return d, err
	}
	ok, err := s.canRead(ctx, p, &d)
	if err != nil {
		return d, err
	}
	if !ok {
		return Document{}, store.NotFound("document")
	}
	return d, nil
}

// validID: IDs are UUID text; anything else cannot name a document.
func validID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// ListLimit bounds a listing.
const ListLimit = 200

// List returns the newest documents p may read (at most ListLimit), optionally only
// those of one meeting. Candidates are narrowed in SQL (public ones, those of units
// related to p's grants, and a meeting's documents when asked), then checked one by one.
func (s *Service) List(ctx context.Context, p *store.Principal, meetingID string) ([]Document, error) {
	if p == nil {
		return nil, nil
	}
	var conds []string
	var args []any
	where := ""
	if meetingID != "" {
		if !validID(meetingID) {
			return []Document{}, nil
		}
		where = `d.meeting_id = ? AND `
		args = append(args, meetingID)
	} else {
		conds = append(conds, `d.classification = 'public'`)
		for _, g := range p.Grants {
			// Inside the grant's subtree, or an ancestor of its unit.
			conds = append(conds, `(u.path >= ? AND u.path < ?)`, `(? >= u.path AND ? < u.path || '~')`)
			args = append(args, g.UnitPath, g.UnitPath+"~", g.UnitPath, g.UnitPath)
		}
	}
	q := `SELECT ` + docCols + docFrom + ` WHERE ` + where
	if len(conds) > 0 {
		q += `(` + strings.Join(conds, " OR ") + `)`
	} else {
		q += `1=1`
	}
	rows, err := s.db.R().QueryContext(ctx, q+` ORDER BY d.updated_at DESC, d.id LIMIT ?`, append(args, ListLimit*4)...)
	all, err := store.Collect(rows, err, scanDoc)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	out := []Document{}
	for i := range all {
		ok, err := s.canRead(ctx, p, &all[i])
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, all[i])
		}
		if len(out) == ListLimit {
			break
		}
	}
	return out, nil
}

// Versions lists a readable document's versions, newest first (without their blocks).
func (s *Service) Versions(ctx context.Context, p *store.Principal, id string) ([]Version, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return nil, err
	}
	rows, err := s.db.R().QueryContext(ctx, `SELECT version, kind, size, filename, note, created_at, created_by, blob_sha256
		FROM document_versions WHERE document_id = ? ORDER BY version DESC`, id)
	out, err := store.Collect(rows, err, func(r store.Scanner) (Version, error) {
		var v Version
		err := r.Scan(&v.Version, &v.Kind, &v.Size, &v.Filename, &v.Note, &v.CreatedAt, &v.CreatedBy, &v.sha)
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("list versions: %w", err)
	}
	return out, nil
}

// Version returns one version of a readable document with its blocks (n ≤ 0: current).
func (s *Service) Version(ctx context.Context, p *store.Principal, id string, n int) (Document, Version, error) {
	d, err := s.Get(ctx, p, id)
	if err != nil {
		return d, Version{}, err
	}
	if n <= 0 {
		n = d.Version
	}
	var v Version
	var blocks string
	err = s.db.R().QueryRowContext(ctx, `SELECT version, kind, size, filename, note, created_at, created_by, blob_sha256, blocks
		FROM document_versions WHERE document_id = ? AND version = ?`, id, n).
		Scan(&v.Version, &v.Kind, &v.Size, &v.Filename, &v.Note, &v.CreatedAt, &v.CreatedBy, &v.sha, &blocks)
	if errors.Is(err, sql.ErrNoRows) {
		return d, v, store.NotFound("version")
	}
	if err != nil {
		return d, v, fmt.Errorf("read version: %w", err)
	}
	if err := json.Unmarshal([]byte(blocks), &v.Blocks); err != nil {
		return d, v, fmt.Errorf("version %d of %s: %w", n, id, err)
	}
	return d, v, nil
}

// Compare returns the paragraph-level diff between versions from and to of a readable
// document.
func (s *Service) Compare(ctx context.Context, p *store.Principal, id string, from, to int) ([]DiffPara, bool, error) {
	_, a, err := s.Version(ctx, p, id, from)
	if err != nil {
		return nil, false, err
	}
	_, b, err := s.Version(ctx, p, id, to)
	if err != nil {
		return nil, false, err
	}
	d, ok := Diff(texts(a.Blocks), texts(b.Blocks))
	return d, ok, nil
}

func texts(bs []Block) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.Text
	}
	return out
}

// DocumentTitles returns the titles of the documents among ids that p may read (the
// meeting agenda shows them); the others are left out.
func (s *Service) DocumentTitles(ctx context.Context, p *store.Principal, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		d, err := s.Get(ctx, p, id)
		switch {
		case store.ErrorCode(err) == store.ENOTFOUND || store.ErrorCode(err) == store.EFORBIDDEN:
			continue
		case err != nil:
			return nil, err
		}
		out[id] = d.Title
	}
	return out, nil
}
