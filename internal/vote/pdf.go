package vote

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/boombuler/barcode/qr"

	"dais/internal/meeting"
	"dais/internal/pdfdoc"
)

// BallotPDFOptions configure BallotsPDF.
type BallotPDFOptions struct {
	Lang    string    // "vi" (default) or "en" for the instructions
	Created time.Time // PDF metadata date; zero: now
}

// BallotQR is the text of a paper ballot's QR code: the poll and the ballot's serial, so
// a counter's scanner (or phone) opens the right entry.
func BallotQR(pollID string, serial int) string {
	return fmt.Sprintf("dais:poll:%s:ballot:%d", pollID, serial)
}

// BallotsPDF prints paper ballots serial from … from+count-1, perPage to an A4 page (1–4):
// the meeting and poll, the instructions (strike out the names you do not elect; a ballot
// keeping more than K names is invalid), the candidates numbered for striking out (or
// yes/no/abstain boxes, or a confidence grid), and a QR code with the poll ID and serial.
func BallotsPDF(w io.Writer, meetingTitle string, poll Poll, from, count, perPage int, opts BallotPDFOptions) error {
	en := opts.Lang == "en"
	tr := func(vi, e string) string {
		if en {
			return e
		}
		return vi
	}
	d := pdfdoc.New(pdfdoc.Options{Title: tr("Phiếu bầu", "Ballots") + " – " + poll.Title, Subject: poll.Title, Lang: tr("vi", "en"), Created: opts.Created})
	f := d.PDF()
	f.SetFooterFunc(nil)
	f.SetAutoPageBreak(false, 0)
	slot := (pdfdoc.PageHeight - 20) / float64(perPage)
	for i := 0; i < count; i++ {
		serial := from + i
		if i > 0 && i%perPage == 0 {
			f.AddPage()
		}
		top := 10 + float64(i%perPage)*slot
		x, width := 15.0, pdfdoc.PageWidth-30
		f.SetDrawColor(0, 0, 0)
		f.SetLineWidth(0.4)
		f.Rect(x, top, width, slot-4, "D")
		// QR and serial at the top right.
		code, err := qr.Encode(BallotQR(poll.ID, serial), qr.M, qr.Auto)
		if err != nil {
			return fmt.Errorf("ballot QR: %w", err)
		}
		b := code.Bounds()
		size := 24.0
		if perPage > 2 {
			size = 18
		}
		mod := size / float64(b.Dx())
		qx, qy := x+width-size-4, top+4
		f.SetFillColor(0, 0, 0)
		for yy := b.Min.Y; yy < b.Max.Y; yy++ {
			for xx := b.Min.X; xx < b.Max.X; xx++ {
				if r, _, _, _ := code.At(xx, yy).RGBA(); r == 0 {
					f.Rect(qx+float64(xx-b.Min.X)*mod, qy+float64(yy-b.Min.Y)*mod, mod, mod, "F")
				}
			}
		}
		f.SetFont(pdfdoc.Sans, "", 9)
		f.SetXY(qx-10, qy+size+1)
		f.CellFormat(size+10, 4, fmt.Sprintf("%s %05d", tr("Số", "No."), serial), "", 0, "C", false, 0, "")
		// Heading.
		tx := x + 5
		tw := width - size - 14
		f.SetXY(tx, top+5)
		f.SetFont(pdfdoc.Serif, "B", 10)
		f.MultiCell(tw, 5, strings.ToUpper(meetingTitle), "", "C", false)
		f.SetX(tx)
		f.SetFont(pdfdoc.Serif, "B", 15)
		heading := map[string]string{KindElection: tr("PHIẾU BẦU CỬ", "BALLOT"), KindNomination: tr("PHIẾU GIỚI THIỆU", "NOMINATION BALLOT"),
			KindConfidence: tr("PHIẾU TÍN NHIỆM", "CONFIDENCE BALLOT"), KindMotion: tr("PHIẾU BIỂU QUYẾT", "VOTING SLIP")}[poll.Kind]
		f.MultiCell(tw, 8, heading, "", "C", false)
		f.SetX(tx)
		f.SetFont(pdfdoc.Serif, "I", 11)
		f.MultiCell(tw, 5.5, poll.Title, "", "C", false)
		f.SetFont(pdfdoc.Serif, "I", 9.5)
		f.SetX(tx)
		var hint string
		switch poll.Kind {
		case KindElection:
			hint = fmt.Sprintf(tr("Bầu %d người. Gạch ngang họ tên người không bầu. Phiếu giữ lại quá %d tên là phiếu không hợp lệ.",
				"Elect %d. Strike out the names you do not elect. A ballot keeping more than %d names is invalid."), poll.Seats, poll.Seats)
		case KindNomination:
			hint = tr("Gạch ngang họ tên người không đồng ý giới thiệu.", "Strike out the names you do not agree to nominate.")
		case KindConfidence:
			hint = tr("Đánh dấu X vào một ô cho mỗi người.", "Mark one box for each person.")
		default:
			hint = tr("Đánh dấu X vào một ô.", "Mark one box.")
		}
		f.MultiCell(tw, 5, hint, "", "C", false)
		y := f.GetY() + 3
		y = max(y, qy+size+7)
		lh := 7.0
		if perPage > 1 {
			lh = 6
		}
		f.SetFont(pdfdoc.Serif, "", 11)
		switch poll.Kind {
		case KindMotion:
			for j, c := range []string{tr("Tán thành", "Yes"), tr("Không tán thành", "No"), tr("Không biểu quyết", "Abstain")} {
				f.Rect(tx+10, y+float64(j)*lh+1, 4.5, 4.5, "D")
				f.SetXY(tx+18, y+float64(j)*lh)
				f.CellFormat(100, lh, c, "", 0, "L", false, 0, "")
			}
		case KindConfidence:
			f.SetFont(pdfdoc.Serif, "B", 10)
			f.SetXY(tx, y)
			f.CellFormat(90, lh, tr("Họ và tên", "Name"), "1", 0, "C", false, 0, "")
			for _, l := range []string{tr("Cao", "High"), tr("Trung bình", "Medium"), tr("Thấp", "Low")} {
				f.CellFormat(25, lh, l, "1", 0, "C", false, 0, "")
			}
			f.SetFont(pdfdoc.Serif, "", 10)
			for j, c := range poll.Candidates {
				yy := y + float64(j+1)*lh
				if yy > top+slot-10 {
					break
				}
				f.SetXY(tx, yy)
				f.CellFormat(90, lh, fmt.Sprintf("%d. %s", j+1, c.Name), "1", 0, "L", false, 0, "")
				for range 3 {
					f.CellFormat(25, lh, "", "1", 0, "C", false, 0, "")
				}
			}
		default:
			cols := 1
			if len(poll.Candidates) > 12 || perPage > 1 && len(poll.Candidates) > 6 {
				cols = 2
			}
			rowsPer := (len(poll.Candidates) + cols - 1) / cols
			colW := (width - 10) / float64(cols)
			for j, c := range poll.Candidates {
				cx := tx + float64(j/rowsPer)*colW
				yy := y + float64(j%rowsPer)*lh
				f.SetXY(cx, yy)
				name := fmt.Sprintf("%d. %s", j+1, c.Name)
				if c.Note != "" && cols == 1 {
					name += " (" + c.Note + ")"
				}
				f.CellFormat(colW-2, lh, name, "", 0, "L", false, 0, "")
			}
		}
	}
	return d.Output(w)
}

// MinutesOptions configure CountingMinutesPDF.
type MinutesOptions struct {
	Place   string
	Lang    string
	Created time.Time
}

// CountingMinutesPDF writes the counting minutes (biên bản kiểm phiếu): the meeting and
// poll, the rule and each of its parameters, delegates convened and present, ballots
// issued, returned, valid and invalid, the paper reconciliation, the votes of each
// candidate (or choice) with the percentage of the base, who is elected or goes to a
// runoff, and the counting committee's names with signature lines.
func CountingMinutesPDF(w io.Writer, m meeting.Meeting, res Results, committee []string, opts MinutesOptions) error {
	en := opts.Lang == "en"
	tr := func(vi, e string) string {
		if en {
			return e
		}
		return vi
	}
	poll := res.Poll
	d := pdfdoc.New(pdfdoc.Options{Title: tr("Biên bản kiểm phiếu", "Counting minutes") + " – " + poll.Title, Subject: tr("Biên bản kiểm phiếu", "Counting minutes"),
		Author: m.UnitName, Lang: tr("vi", "en"), Created: opts.Created})
	at := m.StartsAt
	if poll.ClosedAt != nil {
		at = *poll.ClosedAt
	}
	d.Letterhead(m.Title, tr("BAN KIỂM PHIẾU", "COUNTING COMMITTEE"), opts.Place, at.In(meeting.Zone), "")
	d.Title(tr("Biên bản kiểm phiếu", "Counting minutes"))
	d.Subtitle(poll.Title)
	if poll.Round > 1 {
		d.Subtitle(fmt.Sprintf(tr("(Vòng %d)", "(Round %d)"), poll.Round))
	}
	d.Space(3)
	r := poll.Rule
	base := tr("số đại biểu được triệu tập", "delegates convened")
	if r.Base == BaseCast {
		base = tr("số phiếu thu về", "ballots cast")
	}
	d.Field(tr("Quy tắc: ", "Rule: "), fmt.Sprintf(tr("%s — trúng cử khi được quá một nửa %s (cơ sở: %d); số dư tối đa %d%% số cần bầu; người được đề cử tại đại hội cần quá %d%% số đại biểu đồng ý.",
		"%s — elected with more than half of the %s (base: %d); surplus at most %d%% of the seats; floor nominations need more than %d%% of the delegates."),
		r.Name, base, res.Base, r.MaxSurplusPct, r.FloorPct))
	if poll.Kind == KindElection {
		d.Field(tr("Số lượng cần bầu: ", "Seats: "), fmt.Sprintf(tr("%d; số ứng cử viên: %d.", "%d; candidates: %d."), poll.Seats, len(poll.Candidates)))
	}
	d.Field(tr("Tổng số đại biểu được triệu tập: ", "Delegates convened: "), fmt.Sprint(res.Convened))
	d.Field(tr("Số đại biểu có mặt: ", "Delegates present: "), fmt.Sprint(res.Present))
	d.Field(tr("Số phiếu phát ra: ", "Ballots issued: "), fmt.Sprint(res.Issued))
	d.Field(tr("Số phiếu thu về: ", "Ballots returned: "), fmt.Sprint(res.Returned))
	d.Field(tr("Số phiếu hợp lệ: ", "Valid ballots: "), fmt.Sprint(res.Valid))
	d.Field(tr("Số phiếu không hợp lệ: ", "Invalid ballots: "), fmt.Sprint(res.Invalid))
	if res.Paper.Issued > 0 {
		ok := tr("khớp", "reconciled")
		if !res.Paper.Reconciled {
			ok = tr("KHÔNG KHỚP", "NOT RECONCILED")
		}
		d.Field(tr("Phiếu giấy: ", "Paper ballots: "), fmt.Sprintf(tr("phát ra %d = thu về %d + không sử dụng %d (%s).", "issued %d = returned %d + unused %d (%s)."),
			res.Paper.Issued, res.Paper.Returned, res.Paper.Unused, ok))
	}
	d.Space(2)
	d.Text(pdfdoc.Run{Text: tr("KẾT QUẢ", "RESULTS"), Style: "B"})
	var rows [][]string
	switch poll.Kind {
	case KindMotion:
		names := map[string]string{Yes: tr("Tán thành", "Yes"), No: tr("Không tán thành", "No"), Abstain: tr("Không biểu quyết", "Abstain")}
		for _, o := range res.Options {
			rows = append(rows, []string{names[o.ID], fmt.Sprint(o.Votes), fmt.Sprintf("%.2f%%", o.Pct), ""})
		}
		d.Table([]pdfdoc.Column{{Header: tr("Lựa chọn", "Choice")}, {Header: tr("Số phiếu", "Votes"), Width: 25, Align: "R", Fit: true},
			{Header: tr("Tỷ lệ", "Share"), Width: 25, Align: "R", Fit: true}, {Header: "", Width: 10}}, rows)
		if res.Passed != nil {
			v := tr("Không thông qua.", "Not passed.")
			if *res.Passed {
				v = tr("Thông qua.", "Passed.")
			}
			d.Paragraph(v)
		}
	case KindConfidence:
		for j, o := range res.Options {
			rows = append(rows, []string{fmt.Sprint(j + 1), o.Label, fmt.Sprintf("%d (%.2f%%)", o.High, o.HighPct), fmt.Sprint(o.Medium), fmt.Sprintf("%d (%.2f%%)", o.Low, o.LowPct)})
		}
		d.Table([]pdfdoc.Column{{Header: "TT", Width: 10, Align: "R"}, {Header: tr("Họ và tên", "Name")}, {Header: tr("Cao", "High"), Width: 30, Fit: true},
			{Header: tr("Trung bình", "Medium"), Width: 22, Fit: true}, {Header: tr("Thấp", "Low"), Width: 30, Fit: true}}, rows)
	default:
		for j, o := range res.Options {
			mark := ""
			switch {
			case o.Elected:
				mark = tr("Trúng cử", "Elected")
			case o.Runoff:
				mark = tr("Bầu lại", "Runoff")
			case o.Entered:
				mark = tr("Vào danh sách", "On the list")
			}
			rows = append(rows, []string{fmt.Sprint(j + 1), o.Label, fmt.Sprint(o.Votes), fmt.Sprintf("%.2f%%", o.Pct), mark})
		}
		d.Table([]pdfdoc.Column{{Header: "TT", Width: 10, Align: "R"}, {Header: tr("Họ và tên", "Name")}, {Header: tr("Số phiếu", "Votes"), Width: 20, Align: "R", Fit: true},
			{Header: tr("Tỷ lệ/cơ sở", "% of base"), Width: 24, Align: "R", Fit: true}, {Header: tr("Kết quả", "Result"), Width: 28, Fit: true}}, rows)
		if o := res.Outcome; o != nil {
			var el []string
			for _, j := range o.Elected {
				el = append(el, poll.Candidates[j].Name)
			}
			d.Field(tr("Trúng cử: ", "Elected: "), fmt.Sprintf("%d/%d — %s.", len(o.Elected), poll.Seats, dash(strings.Join(el, ", "))))
			if len(o.Runoff) > 0 {
				var rn []string
				for _, j := range o.Runoff {
					rn = append(rn, poll.Candidates[j].Name)
				}
				d.Field(tr("Bầu lại (bằng phiếu ở vị trí cuối): ", "Runoff (tied for the last seat): "), strings.Join(rn, ", ")+".")
			}
			if o.Short {
				d.Paragraph(fmt.Sprintf(tr("Còn thiếu %d người so với số lượng cần bầu; Đại hội xem xét, quyết định bầu tiếp.",
					"%d seats remain unfilled; the congress may decide a further round."), o.Remaining))
			}
		}
	}
	d.Space(4)
	d.Paragraph(tr("Ban Kiểm phiếu chịu trách nhiệm về kết quả kiểm phiếu trên.", "The counting committee answers for the count above."))
	for i, name := range committee {
		title := tr("ỦY VIÊN", "MEMBER")
		if i == 0 {
			title = tr("TRƯỞNG BAN", "HEAD")
		}
		d.Signature(pdfdoc.Signature{Authority: tr("T/M BAN KIỂM PHIẾU", "FOR THE COUNTING COMMITTEE"), Title: title, Name: name})
	}
	if len(committee) == 0 {
		d.Signature(pdfdoc.Signature{Authority: tr("T/M BAN KIỂM PHIẾU", "FOR THE COUNTING COMMITTEE"), Title: tr("TRƯỞNG BAN", "HEAD")})
	}
	return d.Output(w)
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
