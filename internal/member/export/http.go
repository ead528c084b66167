package export

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"dais/internal/member"
	"dais/internal/pdfdoc"
	"dais/internal/store"
	"dais/internal/web"
)

// letterheads finds a unit's printed names (internal/org implements it).
type letterheads interface {
	Letterhead(ctx context.Context, p *store.Principal, code string) (unit, superior, path string, err error)
}

// Handlers serve the downloads.
type Handlers struct {
	members *member.Service
	units   letterheads
	place   string
}

// Routes registers the export downloads: member lists as XLSX, CSV and PDF, and the
// transfer introduction letter. place is printed on the date line ("Bắc Ninh, ngày …").
func Routes(srv *web.Server, members *member.Service, units letterheads, place string) {
	h := &Handlers{members: members, units: units, place: place}
	srv.Private("GET /units/{code}/members.xlsx", h.list("xlsx"))
	srv.Private("GET /units/{code}/members.csv", h.list("csv"))
	srv.Private("GET /units/{code}/members.pdf", h.list("pdf"))
	srv.Private("GET /transfers/{id}/letter.pdf", h.letter)
}

func (h *Handlers) list(format string) web.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		p := web.PrincipalFrom(r.Context())
		code := strings.ToUpper(r.PathValue("code"))
		unit, superior, path, err := h.units.Letterhead(r.Context(), p, code)
		if err != nil {
			return err
		}
		ms, err := h.members.All(r.Context(), p, path)
		if err != nil {
			return err
		}
		lang := web.Lang(r)
		// Render to memory first: a failure must not leave a half file behind.
		var buf bytes.Buffer
		var ctype string
		switch format {
		case "xlsx":
			err, ctype = XLSX(&buf, unit, ms, lang), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		case "csv":
			err, ctype = CSV(&buf, unit, ms, lang), "text/csv; charset=utf-8"
		default:
			err, ctype = ListPDF(&buf, Issuer{Superior: superior, Unit: unit, Place: h.place, Date: time.Now()}, ms, lang), "application/pdf"
		}
		if err != nil {
			return fmt.Errorf("export %s %s: %w", format, code, err)
		}
		download(w, ctype, fmt.Sprintf("danh-sach-dang-vien-%s.%s", code, format), buf.Bytes())
		return nil
	}
}

func (h *Handlers) letter(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	t, err := h.members.GetTransfer(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	from, superior, fromPath, err := h.units.Letterhead(r.Context(), p, t.FromUnitCode)
	if err != nil {
		return err
	}
	// The letter is the issuing side's document.
	if !p.Can(store.PermMemberWrite, fromPath) {
		return &store.Error{Code: store.EFORBIDDEN, Key: "err.forbidden", Message: "only the issuing unit prints the letter"}
	}
	m, err := h.members.Get(r.Context(), p, t.MemberID)
	if err != nil {
		return err
	}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	l := Letter{Number: t.LetterNo, FromSuperior: superior, From: from, To: t.ToUnitName, Place: h.place, Date: t.IssuedAt,
		MemberName: t.MemberName, BirthDate: day(m.BirthDate), CardNumber: t.CardNumber, AdmissionDate: day(m.AdmissionDate),
		OfficialDate: day(m.OfficialDate), Kind: t.Kind, Reason: t.Reason, ValidUntil: t.ExpiresAt,
		Signer: pdfdoc.Signature{Authority: "T/M " + strings.ToUpper(from), Title: "BÍ THƯ"}}
	var buf bytes.Buffer
	if err := TransferLetterPDF(&buf, l); err != nil {
		return fmt.Errorf("letter %s: %w", t.LetterNo, err)
	}
	download(w, "application/pdf", "giay-gioi-thieu-"+strings.NewReplacer("/", "-", " ", "").Replace(t.LetterNo)+".pdf", buf.Bytes())
	return nil
}

func download(w http.ResponseWriter, ctype, name string, body []byte) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}
