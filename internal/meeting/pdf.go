package meeting

import (
	"fmt"
	"io"
	"strings"
	"time"

	"dais/internal/pdfdoc"
)

// PDFOptions configure MinutesPDF.
type PDFOptions struct {
	Place string // for the date line: "Bắc Ninh"
	Lang  string // "vi" (default) or "en": labels; the letterhead stays Vietnamese
	// Created is the PDF's metadata date; zero: now. Fixed in tests for identical bytes.
	Created time.Time
}

// spokenTime is "08 giờ 30 phút, ngày 24 tháng 11 năm 2026" in Zone.
func spokenTime(t time.Time, en bool) string {
	t = t.In(Zone)
	if en {
		return t.Format("15:04, 2 January 2006")
	}
	return fmt.Sprintf("%02d giờ %02d phút, %s", t.Hour(), t.Minute(), pdfdoc.DateLine("", t))
}

// MinutesPDF writes the minutes in the standard layout of a party meeting's minutes: the
// letterhead (superior committee and unit on the left, "ĐẢNG CỘNG SẢN VIỆT NAM" and the
// date on the right), the title "BIÊN BẢN" and the meeting's name, time, place,
// participants, chair and secretary, the content item by item, and the signatures of the
// secretary (left) and the chair (right). A draft (Final == 0) is marked as such; a
// finalized version ends with its number and digest.
func MinutesPDF(w io.Writer, mn Minutes, opts PDFOptions) error {
	en := opts.Lang == "en"
	t := func(vi, e string) string {
		if en {
			return e
		}
		return vi
	}
	h := mn.Header
	d := pdfdoc.New(pdfdoc.Options{
		Title:   t("Biên bản", "Minutes") + " – " + h.Title,
		Subject: t("Biên bản", "Minutes"),
		Author:  h.Unit,
		Lang:    t("vi", "en"),
		Created: opts.Created,
	})
	d.Letterhead(h.Superior, h.Unit, opts.Place, h.StartsAt.In(Zone), "")
	d.Title(t("Biên bản", "Minutes"))
	d.Subtitle(h.Title)
	if mn.Final == 0 {
		d.Subtitle(t("(Dự thảo)", "(Draft)"))
	}
	d.Space(3)
	d.Field(t("Thời gian: ", "Time: "), t("bắt đầu lúc ", "from ")+spokenTime(h.StartsAt, en)+t("; kết thúc lúc ", " to ")+spokenTime(h.EndsAt, en)+".")
	place := h.Place
	if h.OnlineURL != "" {
		if place != "" {
			place += t("; trực tuyến: ", "; online: ")
		} else {
			place = t("trực tuyến: ", "online: ")
		}
		place += h.OnlineURL
	}
	if place != "" {
		d.Field(t("Địa điểm: ", "Place: "), place+".")
	}
	comp := fmt.Sprintf(t("tổng số %d đồng chí được triệu tập; %d đồng chí xác nhận dự; %d đồng chí vắng có lý do",
		"%d convened; %d confirmed attendance; %d excused"), h.Total, h.Accepted, len(h.Excused))
	if len(h.Excused) > 0 {
		comp += " (" + strings.Join(h.Excused, "; ") + ")"
	}
	d.Field(t("Thành phần: ", "Participants: "), comp+".")
	d.Field(t("Chủ trì: ", "Chair: "), dash(mn.Chair))
	d.Field(t("Thư ký: ", "Secretary: "), dash(mn.Secretary))
	d.Space(2)
	d.Text(pdfdoc.Run{Text: t("NỘI DUNG", "PROCEEDINGS"), Style: "B"})
	paragraphs(d, mn.Opening)
	for _, s := range mn.Sections {
		d.Text(pdfdoc.Run{Text: s.Title, Style: "B"})
		if strings.TrimSpace(s.Text) == "" {
			d.Text(pdfdoc.Run{Text: t("(Chưa ghi nội dung.)", "(Nothing recorded.)"), Style: "I"})
			continue
		}
		paragraphs(d, s.Text)
	}
	closing := mn.Closing
	if strings.TrimSpace(closing) == "" {
		closing = t("Cuộc họp kết thúc vào lúc ", "The meeting closed at ") + spokenTime(h.EndsAt, en) + "."
	}
	paragraphs(d, closing)
	signatures(d, t("Thư ký", "Secretary"), mn.Secretary, t("Chủ trì", "Chair"), mn.Chair, en)
	if mn.Final > 0 {
		d.Space(4)
		sum := mn.SHA256
		if len(sum) > 16 {
			sum = sum[:16]
		}
		d.Text(pdfdoc.Run{Text: fmt.Sprintf(t("Bản hoàn thành số %d, lúc %s. Mã kiểm tra SHA-256: %s…", "Final version %d, %s. SHA-256: %s…"),
			mn.Final, mn.FinalizedAt.In(Zone).Format("15:04 02/01/2006"), sum), Style: "I"})
	}
	if err := d.Err(); err != nil {
		return err
	}
	return d.Output(w)
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "…………………………"
	}
	return s
}

// paragraphs draws text split at blank lines and line breaks into body paragraphs.
func paragraphs(d *pdfdoc.Doc, text string) {
	for _, p := range strings.Split(text, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			d.Paragraph(p)
		}
	}
}

// signatures draws the two signature blocks side by side: the secretary on the left, the
// chair on the right, as party minutes are signed.
func signatures(d *pdfdoc.Doc, leftTitle, leftName, rightTitle, rightName string, en bool) {
	f := d.PDF()
	const colW = pdfdoc.ContentWidth / 2
	lh := 13 * 1.2 * 25.4 / 72
	_, ph := f.GetPageSize()
	if f.GetY()+lh*3+30 > ph-pdfdoc.MarginBottom {
		f.AddPage()
	}
	top := f.GetY() + 6
	hint := "(Ký, ghi rõ họ tên)"
	if en {
		hint = "(Signature and full name)"
	}
	for i, col := range []struct{ title, name string }{{leftTitle, leftName}, {rightTitle, rightName}} {
		x := pdfdoc.MarginLeft + float64(i)*colW
		f.SetFont(pdfdoc.Serif, "B", 13)
		f.SetXY(x, top)
		f.CellFormat(colW, lh, strings.ToUpper(col.title), "", 0, "C", false, 0, "")
		f.SetFont(pdfdoc.Serif, "I", 12)
		f.SetXY(x, top+lh)
		f.CellFormat(colW, lh, hint, "", 0, "C", false, 0, "")
		f.SetFont(pdfdoc.Serif, "B", 13)
		for j, line := range f.SplitText(col.name, colW-4) {
			f.SetXY(x, top+2*lh+24+float64(j)*lh)
			f.CellFormat(colW, lh, line, "", 0, "C", false, 0, "")
		}
	}
	f.SetXY(pdfdoc.MarginLeft, top+3*lh+26)
	f.SetFont(pdfdoc.Serif, "", 14)
}
