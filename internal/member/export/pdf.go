package export

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"dais/internal/member"
	"dais/internal/pdfdoc"
)

// Issuer is the unit a document comes from: its letterhead and who signs for it.
type Issuer struct {
	Superior string    // the superior committee, first line of the letterhead: "Đảng bộ xã Tiên Du"
	Unit     string    // the issuing unit: "Chi bộ Thôn Đông"
	Place    string    // for the date line: "Bắc Ninh"
	Date     time.Time // of the document; zero: today
	DocNo    string    // number and symbol, "05-DS/CB"; empty leaves the line out
	// Signer signs; an empty Authority and Title give "T/M CHI ỦY" / "BÍ THƯ".
	Signer pdfdoc.Signature
	// Created is the PDF's metadata date; zero: now. Fixed in tests for identical bytes.
	Created time.Time
}

func (is *Issuer) defaults() {
	if is.Date.IsZero() {
		is.Date = time.Now()
	}
	if is.Signer.Authority == "" && is.Signer.Title == "" {
		is.Signer.Authority, is.Signer.Title = "T/M CHI ỦY", "BÍ THƯ"
	}
}

// ListPDF writes "DANH SÁCH ĐẢNG VIÊN" of the unit under its letterhead: a table of
// STT, name, birth date, gender, card number, admission and official dates that repeats
// its header on every page, the total, and the signature block. lang "en" gives English
// headings; the letterhead stays Vietnamese, as the party's documents are.
func ListPDF(w io.Writer, unit Issuer, ms []member.Member, lang string) error {
	unit.defaults()
	en := lang == "en"
	t := func(vi, e string) string {
		if en {
			return e
		}
		return vi
	}
	d := pdfdoc.New(pdfdoc.Options{
		Title:   t("Danh sách đảng viên", "List of party members") + " – " + unit.Unit,
		Subject: t("Danh sách đảng viên", "List of party members"),
		Author:  unit.Unit,
		Lang:    t("vi", "en"),
		Created: unit.Created,
	})
	d.Letterhead(unit.Superior, unit.Unit, unit.Place, unit.Date, unit.DocNo)
	d.Title(t("Danh sách đảng viên", "List of party members"))
	d.Title(unit.Unit)
	d.Subtitle(t("(Tính đến ngày ", "(As of ") + pdfdoc.DateVN(unit.Date) + ")")
	d.Space(2)
	cols := []pdfdoc.Column{
		{Header: t("STT", "No."), Width: 11, Align: "C", Fit: true},
		{Header: t("Họ và tên", "Full name")},
		{Header: t("Ngày sinh", "Date of birth"), Width: 23, Align: "C", Fit: true},
		{Header: t("Giới tính", "Gender"), Width: 17, Align: "C"},
		{Header: t("Số thẻ", "Card no."), Width: 22, Align: "C", Fit: true},
		{Header: t("Ngày vào Đảng", "Admitted"), Width: 23, Align: "C", Fit: true},
		{Header: t("Ngày chính thức", "Official"), Width: 23, Align: "C", Fit: true},
	}
	rows := make([][]string, len(ms))
	women, probationary := 0, 0
	for i := range ms {
		m := &ms[i]
		if m.Gender == "female" {
			women++
		}
		if m.Status == member.StatusProbationary {
			probationary++
		}
		g := gender(m.Gender, lang)
		if en {
			g = map[string]string{"male": "Male", "female": "Female"}[m.Gender]
		}
		rows[i] = []string{fmt.Sprint(i + 1), m.FullName, date(m.BirthDate), g, m.CardNumber, date(m.AdmissionDate), date(m.OfficialDate)}
	}
	d.Table(cols, rows)
	d.Space(1)
	if en {
		d.Text(pdfdoc.Run{Text: "Total: "}, pdfdoc.Run{Text: fmt.Sprintf("%d members", len(ms)), Style: "B"},
			pdfdoc.Run{Text: fmt.Sprintf(" (women: %d; probationary: %d).", women, probationary)})
	} else {
		d.Text(pdfdoc.Run{Text: "Tổng số: "}, pdfdoc.Run{Text: fmt.Sprintf("%d đảng viên", len(ms)), Style: "B"},
			pdfdoc.Run{Text: fmt.Sprintf(" (nữ: %d; dự bị: %d).", women, probationary)})
	}
	d.Signature(unit.Signer)
	return d.Output(w)
}

// Kinds of transfer (chuyển sinh hoạt đảng).
const (
	TransferOfficial  = "official"  // chính thức: the member leaves the unit for good
	TransferTemporary = "temporary" // tạm thời: for a time, keeping the official unit
)

// Letter is the introduction letter (giấy giới thiệu sinh hoạt đảng) the issuing unit
// gives a member it transfers, to present to the receiving unit before ValidUntil.
type Letter struct {
	Number        string    // number and symbol, "15-GGT/ĐU"
	FromSuperior  string    // the issuing unit's superior committee (letterhead)
	From          string    // the issuing unit, "Đảng ủy xã Tiên Du"
	To            string    // the receiving unit, "Chi bộ Khu phố 3, Đảng bộ phường Đông Ngàn"
	Place         string    // for the date line, "Bắc Ninh"
	Date          time.Time // of issue
	MemberName    string
	BirthDate     time.Time
	CardNumber    string
	AdmissionDate time.Time
	OfficialDate  time.Time // zero while the member is probationary
	Kind          string    // TransferOfficial or TransferTemporary
	Reason        string
	ValidUntil    time.Time // the member presents the letter to To by this day
	Signer        pdfdoc.Signature
	Created       time.Time // PDF metadata date; zero: now
}

func (l *Letter) validate() error {
	var errs []error
	for _, f := range []struct{ name, v string }{{"number", l.Number}, {"from", l.From}, {"to", l.To}, {"member name", l.MemberName},
		{"card number", l.CardNumber}} {
		if strings.TrimSpace(f.v) == "" {
			errs = append(errs, fmt.Errorf("%s is required", f.name))
		}
	}
	if l.Kind != TransferOfficial && l.Kind != TransferTemporary {
		errs = append(errs, fmt.Errorf("kind %q is not %s or %s", l.Kind, TransferOfficial, TransferTemporary))
	}
	if l.Date.IsZero() || l.ValidUntil.IsZero() || l.ValidUntil.Before(l.Date) {
		errs = append(errs, errors.New("the letter needs a date and a validity that does not end before it"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("transfer letter: %w", err)
	}
	return nil
}

// TransferLetterPDF writes the introduction letter of a party member's transfer,
// "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG", in Vietnamese (it is an official document).
func TransferLetterPDF(w io.Writer, l Letter) error {
	if err := l.validate(); err != nil {
		return err
	}
	if l.Signer.Authority == "" && l.Signer.Title == "" {
		l.Signer.Authority, l.Signer.Title = "T/M CHI ỦY", "BÍ THƯ"
	}
	kind := "chính thức"
	if l.Kind == TransferTemporary {
		kind = "tạm thời"
	}
	d := pdfdoc.New(pdfdoc.Options{
		Title:   "Giấy giới thiệu sinh hoạt đảng – " + l.MemberName,
		Subject: "Giấy giới thiệu sinh hoạt đảng " + kind,
		Author:  l.From,
		Created: l.Created,
	})
	d.Letterhead(l.FromSuperior, l.From, l.Place, l.Date, l.Number)
	d.Title("Giấy giới thiệu sinh hoạt đảng")
	d.Subtitle("(Chuyển sinh hoạt đảng " + kind + ")")
	d.Space(3)
	d.Field("Kính gửi: ", l.To)
	d.Space(2)
	d.Field(l.From+" trân trọng giới thiệu đồng chí: ", l.MemberName)
	d.Field("Sinh ngày: ", pdfdoc.DateVN(l.BirthDate))
	d.Field("Số thẻ đảng viên: ", l.CardNumber)
	membership := "dự bị"
	if !l.OfficialDate.IsZero() {
		membership = "chính thức"
	}
	official := pdfdoc.DateVN(l.OfficialDate)
	if official == "" {
		official = "(chưa chính thức)"
	}
	d.Text(pdfdoc.Run{Text: "Vào Đảng ngày: "}, pdfdoc.Run{Text: pdfdoc.DateVN(l.AdmissionDate), Style: "B"},
		pdfdoc.Run{Text: "; chính thức ngày: "}, pdfdoc.Run{Text: official, Style: "B"})
	d.Field("Là đảng viên: ", membership)
	d.Field("Nơi chuyển đi: ", l.From)
	d.Field("Được chuyển sinh hoạt đảng "+kind+" đến: ", l.To)
	if r := strings.TrimSpace(l.Reason); r != "" {
		d.Field("Lý do: ", r)
	}
	d.Space(2)
	d.Paragraph("Đề nghị " + l.To + " tiếp nhận và giúp đỡ đồng chí " + l.MemberName + " sinh hoạt đảng theo quy định.")
	d.RichParagraph(pdfdoc.Run{Text: "Giấy giới thiệu này có giá trị đến hết ngày "},
		pdfdoc.Run{Text: pdfdoc.DateVN(l.ValidUntil), Style: "B"},
		pdfdoc.Run{Text: ". Đồng chí " + l.MemberName + " phải xuất trình giấy này với " + l.To +
			" trước ngày đó; quá hạn, giấy không còn giá trị.", Style: "I"})
	d.Signature(l.Signer)
	return d.Output(w)
}
