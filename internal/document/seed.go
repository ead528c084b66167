package document

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"html"
	"strings"

	"dais/internal/store"
)

// DocxPara is one paragraph for MakeDOCX: a style ("" body, "Title", "Heading1"…), an
// optional list kind ("ul" or "ol") and runs of text; a run starting with "**" is bold.
type DocxPara struct {
	Style string
	List  string
	Runs  []string
}

// MakeDOCX writes a minimal, valid Word document (the demo's and the tests' DOCX files).
func MakeDOCX(paras []DocxPara) []byte {
	var body strings.Builder
	for _, p := range paras {
		body.WriteString("<w:p>")
		if p.Style != "" || p.List != "" {
			body.WriteString("<w:pPr>")
			if p.Style != "" {
				body.WriteString(`<w:pStyle w:val="` + html.EscapeString(p.Style) + `"/>`)
			}
			if p.List != "" {
				id := "1"
				if p.List == "ol" {
					id = "2"
				}
				body.WriteString(`<w:numPr><w:ilvl w:val="0"/><w:numId w:val="` + id + `"/></w:numPr>`)
			}
			body.WriteString("</w:pPr>")
		}
		for _, r := range p.Runs {
			body.WriteString("<w:r>")
			if t, ok := strings.CutPrefix(r, "**"); ok {
				r = t
				body.WriteString("<w:rPr><w:b/></w:rPr>")
			}
			body.WriteString(`<w:t xml:space="preserve">` + html.EscapeString(r) + `</w:t></w:r>`)
		}
		body.WriteString("</w:p>")
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/_rels/document.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/></Relationships>`},
		{"word/numbering.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/></w:lvl></w:abstractNum><w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num></w:numbering>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `<w:sectPr/></w:body></w:document>`},
	}
	for _, f := range files {
		w, _ := zw.Create(f.name)
		w.Write([]byte(f.body))
	}
	zw.Close()
	return buf.Bytes()
}

// Seed creates the demo documents for the unit with code unitCode (the province) and,
// when meetingID is set, attaches the congress documents to that meeting: the draft
// political report in two versions (DOCX), the draft resolution (Markdown), an internal
// notice (HTML) and a restricted personnel document. It returns the documents created.
func Seed(ctx context.Context, svc *Service, unitCode, meetingID string) ([]Document, error) {
	ctx = store.WithActor(ctx, "demo")
	_, path, _, err := svc.unit(ctx, unitCode)
	if err != nil {
		return nil, fmt.Errorf("seed documents: %w", err)
	}
	sys := &store.Principal{UserID: "demo", Name: "Dữ liệu mẫu", Grants: []store.Grant{{Role: store.RoleAdmin, UnitPath: path, UnitCode: unitCode}}}
	hall := []string{RolePresidium, RoleSecretariat, RoleDelegate, RoleCounting, store.RoleSecretary, store.RoleChair}
	var out []Document
	up := func(in NewDocument) (Document, error) {
		in.UnitCode, in.MeetingID = unitCode, meetingID
		d, err := svc.Upload(ctx, sys, in)
		if err != nil {
			return d, fmt.Errorf("seed document %q: %w", in.Title, err)
		}
		out = append(out, d)
		return d, nil
	}
	report, err := up(NewDocument{Title: "Dự thảo Báo cáo chính trị trình Đại hội đại biểu Đảng bộ tỉnh", Classification: Internal,
		ReadRoles: hall, Filename: "bao-cao-chinh-tri-du-thao-1.docx", Note: "Bản dự thảo lần thứ nhất, gửi xin ý kiến các đoàn đại biểu",
		Data: MakeDOCX(politicalReport(false))})
	if err != nil {
		return out, err
	}
	if report, err = svc.AddVersion(ctx, sys, report.ID, NewVersion{Base: 1, Filename: "bao-cao-chinh-tri-du-thao-2.docx",
		Note: "Tiếp thu ý kiến thảo luận tổ: bổ sung chỉ tiêu chuyển đổi số, sửa mục tiêu tăng trưởng", Data: MakeDOCX(politicalReport(true))}); err != nil {
		return out, fmt.Errorf("seed document version: %w", err)
	}
	out[0] = report
	if _, err := up(NewDocument{Title: "Dự thảo Nghị quyết Đại hội đại biểu Đảng bộ tỉnh", Classification: Internal, ReadRoles: hall,
		Filename: "du-thao-nghi-quyet.md", Data: []byte(resolutionMD)}); err != nil {
		return out, err
	}
	if _, err := up(NewDocument{Title: "Thông báo về lịch làm việc của Đại hội", Classification: Internal, State: StateFinal,
		ReadRoles: append(hall, RoleGuest, store.RoleMember, store.RoleOrgOfficer), Filename: "thong-bao-lich-lam-viec.html", Data: []byte(noticeHTML)}); err != nil {
		return out, err
	}
	if _, err := up(NewDocument{Title: "Đề án nhân sự Ban Chấp hành Đảng bộ tỉnh khóa mới (dự kiến)", Classification: Restricted,
		ReadRoles: []string{RolePresidium, store.RoleSecretary}, Filename: "de-an-nhan-su.md", Data: []byte(personnelMD)}); err != nil {
		return out, err
	}
	return out, nil
}

func politicalReport(second bool) []DocxPara {
	growth := "Phấn đấu tốc độ tăng trưởng kinh tế bình quân hằng năm đạt khoảng 8%; thu nhập bình quân đầu người đến cuối nhiệm kỳ tăng gấp rưỡi so với đầu nhiệm kỳ."
	if second {
		growth = "Phấn đấu tốc độ tăng trưởng kinh tế bình quân hằng năm đạt từ 8,5% trở lên; thu nhập bình quân đầu người đến cuối nhiệm kỳ tăng gấp rưỡi so với đầu nhiệm kỳ."
	}
	ps := []DocxPara{
		{Style: "Title", Runs: []string{"Báo cáo chính trị của Ban Chấp hành Đảng bộ tỉnh"}},
		{Runs: []string{"(Dự thảo trình Đại hội đại biểu Đảng bộ tỉnh lần thứ XXI, nhiệm kỳ 2025 – 2030)"}},
		{Style: "Heading1", Runs: []string{"Phần thứ nhất: Đánh giá kết quả thực hiện Nghị quyết nhiệm kỳ qua"}},
		{Runs: []string{"Trong nhiệm kỳ qua, Đảng bộ và nhân dân trong tỉnh đã đoàn kết, chủ động vượt qua nhiều khó khăn, thách thức, nhất là tác động của thiên tai và dịch bệnh, ",
			"**hoàn thành và hoàn thành vượt mức", " phần lớn các chỉ tiêu chủ yếu mà Nghị quyết Đại hội đã đề ra."}},
		{Runs: []string{"Kinh tế tiếp tục tăng trưởng khá; cơ cấu kinh tế chuyển dịch đúng hướng, tỷ trọng công nghiệp và dịch vụ tăng dần. Kết cấu hạ tầng giao thông, đô thị và nông thôn mới được quan tâm đầu tư, diện mạo nhiều vùng quê thay đổi rõ rệt."}},
		{Runs: []string{"Công tác xây dựng Đảng và hệ thống chính trị được chú trọng; chất lượng sinh hoạt chi bộ từng bước được nâng lên; việc kết nạp đảng viên mới ở thôn, bản vùng sâu, vùng xa có chuyển biến."}},
		{Style: "Heading2", Runs: []string{"Những hạn chế, yếu kém"}},
		{List: "ul", Runs: []string{"Quy mô kinh tế còn nhỏ, sức cạnh tranh chưa cao."}},
		{List: "ul", Runs: []string{"Cải cách hành chính ở một số nơi còn chậm, người dân còn phải đi lại nhiều lần."}},
		{List: "ul", Runs: []string{"Một số tổ chức cơ sở đảng sinh hoạt chưa đều, nội dung sinh hoạt còn đơn điệu."}},
		{Style: "Heading1", Runs: []string{"Phần thứ hai: Mục tiêu, nhiệm vụ nhiệm kỳ 2025 – 2030"}},
		{Runs: []string{"Mục tiêu tổng quát: xây dựng Đảng bộ và hệ thống chính trị trong sạch, vững mạnh; phát huy sức mạnh đại đoàn kết toàn dân; phát triển kinh tế nhanh và bền vững, gắn với bảo đảm quốc phòng, an ninh."}},
		{Runs: []string{growth}},
		{Style: "Heading2", Runs: []string{"Các nhiệm vụ trọng tâm"}},
		{List: "ol", Runs: []string{"Nâng cao năng lực lãnh đạo, sức chiến đấu của tổ chức cơ sở đảng và chất lượng đội ngũ đảng viên."}},
		{List: "ol", Runs: []string{"Tập trung hoàn thiện hạ tầng giao thông kết nối vùng, thu hút đầu tư có chọn lọc."}},
		{List: "ol", Runs: []string{"Chăm lo phát triển giáo dục, y tế, văn hóa; giảm nghèo bền vững ở vùng đồng bào dân tộc thiểu số."}},
	}
	if second {
		ps = append(ps,
			DocxPara{List: "ol", Runs: []string{"Đẩy mạnh chuyển đổi số trong các cơ quan đảng: họp không giấy, số hóa hồ sơ đảng viên, phấn đấu 100% chi bộ sinh hoạt có sử dụng tài liệu điện tử vào cuối nhiệm kỳ."}},
			DocxPara{Runs: []string{"Ban Chấp hành Đảng bộ tỉnh trân trọng đề nghị Đại hội thảo luận, góp ý để hoàn thiện Báo cáo chính trị trước khi thông qua."}})
	} else {
		ps = append(ps, DocxPara{Runs: []string{"Ban Chấp hành Đảng bộ tỉnh đề nghị Đại hội thảo luận, góp ý."}})
	}
	return ps
}

const resolutionMD = `# Nghị quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ XXI

*(Dự thảo)*

Đại hội đại biểu Đảng bộ tỉnh lần thứ XXI, nhiệm kỳ 2025 – 2030, họp tại Trung tâm Hội nghị tỉnh,

## Quyết nghị

1. Tán thành những nội dung cơ bản về đánh giá tình hình năm năm qua, mục tiêu, chỉ tiêu và nhiệm vụ nhiệm kỳ tới nêu trong Báo cáo chính trị của Ban Chấp hành Đảng bộ tỉnh.
2. Thông qua Báo cáo kiểm điểm sự lãnh đạo, chỉ đạo của Ban Chấp hành Đảng bộ tỉnh nhiệm kỳ qua.
3. Giao Ban Chấp hành Đảng bộ tỉnh khóa mới căn cứ Nghị quyết này xây dựng chương trình hành động, cụ thể hóa thành các đề án, kế hoạch để tổ chức thực hiện.

## Tổ chức thực hiện

Các cấp ủy, tổ chức đảng, chính quyền, Mặt trận Tổ quốc và các đoàn thể có trách nhiệm tuyên truyền sâu rộng Nghị quyết đến cán bộ, đảng viên và các tầng lớp nhân dân; định kỳ sơ kết, đánh giá việc thực hiện.

Nghị quyết này được phổ biến đến chi bộ trong thời gian **30 ngày** kể từ ngày bế mạc Đại hội.
`

const noticeHTML = `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Thông báo</title></head>
<body>
<h1>Thông báo về lịch làm việc của Đại hội</h1>
<p>Ban Tổ chức Đại hội trân trọng thông báo lịch làm việc để các đồng chí đại biểu chủ động sắp xếp thời gian.</p>
<table>
<tr><th>Thời gian</th><th>Nội dung</th></tr>
<tr><td>7 giờ 00, ngày thứ nhất</td><td>Đón đại biểu, điểm danh bằng nhận diện khuôn mặt tại cửa hội trường</td></tr>
<tr><td>8 giờ 00, ngày thứ nhất</td><td>Phiên trù bị: bầu Đoàn Chủ tịch, Đoàn Thư ký, Ban Thẩm tra tư cách đại biểu</td></tr>
<tr><td>8 giờ 00, ngày thứ hai</td><td>Phiên chính thức: khai mạc, trình bày Báo cáo chính trị, thảo luận tại hội trường</td></tr>
<tr><td>14 giờ 00, ngày thứ hai</td><td>Bầu cử Ban Chấp hành khóa mới; bế mạc</td></tr>
</table>
<p>Đại biểu mang theo máy tính bảng đã được cấp; tài liệu Đại hội được cập nhật trên hệ thống, <strong>không in ra giấy</strong>.</p>
<p>Mọi thắc mắc xin liên hệ Văn phòng Tỉnh ủy.</p>
<script>alert("không bao giờ chạy")</script>
</body></html>`

const personnelMD = `# Đề án nhân sự Ban Chấp hành Đảng bộ tỉnh khóa mới

*Tài liệu phục vụ Đoàn Chủ tịch; không sao chụp, không phát tán.*

## Cơ cấu dự kiến

Số lượng Ban Chấp hành: 53 đồng chí; Ban Thường vụ: 15 đồng chí. Tỷ lệ cán bộ nữ phấn đấu từ 15% trở lên; cán bộ trẻ dưới 42 tuổi từ 10% trở lên; có cán bộ người dân tộc thiểu số.

## Nguyên tắc giới thiệu

- Bảo đảm tiêu chuẩn chính trị, phẩm chất đạo đức, năng lực công tác và uy tín.
- Kết hợp hài hòa giữa các thế hệ, các ngành, các địa bàn.
- Thực hiện đúng quy trình năm bước, công khai, dân chủ, khách quan.

## Danh sách dự kiến giới thiệu

| STT | Họ và tên | Chức vụ hiện nay |
| --- | --- | --- |
| 1 | Nguyễn Văn Thắng | Bí thư Tỉnh ủy |
| 2 | Phạm Quang Hùng | Phó Bí thư Thường trực |
| 3 | Hoàng Thị Mai | Trưởng Ban Tổ chức |
`
