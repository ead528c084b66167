package ocr

import (
	"embed"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"dais/internal/member"
	"dais/internal/store"
	"dais/internal/web"
)

//go:embed templates/*.html templates/ocr.css
var templates embed.FS

// Templates are the OCR pages, registered under "ocr/".
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// Handlers serve the review queue.
type Handlers struct {
	srv     *web.Server
	svc     *Service
	creator MemberCreator
}

// Routes registers the OCR pages: the queue with its upload form, the review page, the
// scan images (only through this authorized handler) and the decisions.
func Routes(srv *web.Server, svc *Service, creator MemberCreator) {
	h := &Handlers{srv: srv, svc: svc, creator: creator}
	srv.Private("GET /ocr", h.queue)
	srv.PrivateLimit("POST /ocr/intakes", svc.opts.MaxBytes+4<<20, h.upload) // the file and the form around it: a file just over the limit still gets the handler's own message
	srv.Private("GET /ocr/intakes/{id}", h.review)
	srv.Private("GET /ocr/intakes/{id}/pages/{n}", h.page)
	srv.Private("POST /ocr/intakes/{id}/approve", h.approve)
	srv.Private("POST /ocr/intakes/{id}/reject", h.reject)
	srv.Public("GET /ocr/ocr.css", h.css)
}

// css serves the review page's layout (side by side, flagged fields): the base stylesheet
// is internal/web's, and the content security policy allows no inline style.
func (h *Handlers) css(w http.ResponseWriter, r *http.Request) error {
	b, err := templates.ReadFile("templates/ocr.css")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, err = w.Write(b)
	return err
}

// message translates an application error for the page: the OCR package's own text for
// its keys and for the member record's field errors, else the web layer's.
func (h *Handlers) message(r *http.Request, err error) string {
	var e *store.Error
	if errors.As(err, &e) && e.Key != "" {
		if k := "ocr." + e.Key; h.srv.Catalog().Has(k) {
			return h.srv.Catalog().T(web.Lang(r), k, e.Args...)
		}
	}
	return h.srv.ErrorMessage(r, err)
}

// fieldMessage translates one field error of a member record.
func (h *Handlers) fieldMessage(r *http.Request, fe member.FieldError) string {
	c := h.srv.Catalog()
	if k := "ocr." + fe.Key; c.Has(k) {
		return c.T(web.Lang(r), k)
	}
	return fe.Message
}

type pendingRow struct {
	ID, Name, UnitName string
	CreatedAt          time.Time
	Low                int // fields to check
}

type queueView struct {
	Units           []UploadUnit
	Unit            string // the unit selected in the form
	Pending         []pendingRow
	Total           int
	MaxMB, MaxPages int
	Error           string
}

func (h *Handlers) queueView(r *http.Request) (queueView, error) {
	p := web.PrincipalFrom(r.Context())
	v := queueView{Units: UploadUnits(p), MaxMB: int(h.svc.opts.MaxBytes >> 20), MaxPages: h.svc.opts.MaxPages}
	ins, total, err := h.svc.Pending(r.Context(), p)
	if err != nil {
		return v, err
	}
	v.Total = total
	for _, in := range ins {
		row := pendingRow{ID: in.ID, Name: in.Fields["full_name"].Value, UnitName: in.UnitName, CreatedAt: in.CreatedAt}
		for _, f := range formFields {
			if f.read != "" && flagged(f, in.Fields) {
				row.Low++
			}
		}
		v.Pending = append(v.Pending, row)
	}
	return v, nil
}

func (h *Handlers) queue(w http.ResponseWriter, r *http.Request) error {
	v, err := h.queueView(r)
	if err != nil {
		return err
	}
	return h.srv.Page(w, r, "ocr/queue", v)
}

func (h *Handlers) upload(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	data, name, err := h.readUpload(r)
	var in Intake
	if err == nil {
		in, err = h.svc.Upload(r.Context(), p, r.PostFormValue("unit"), name, data)
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if store.ErrorCode(err) != store.EINVALID && !errors.As(err, &mbe) {
			return err
		}
		v, verr := h.queueView(r)
		if verr != nil {
			return verr
		}
		v.Unit, v.Error = r.PostFormValue("unit"), h.message(r, err)
		status := web.Status(err)
		if errors.As(err, &mbe) {
			v.Error = h.srv.Catalog().T(web.Lang(r), "ocr.too_large", v.MaxMB)
		}
		return h.srv.PageStatus(w, r, status, "ocr/queue", v)
	}
	http.Redirect(w, r, "/ocr/intakes/"+in.ID, http.StatusSeeOther)
	return nil
}

// readUpload reads the "scan" file of a multipart form, at most MaxBytes of it.
func (h *Handlers) readUpload(r *http.Request) ([]byte, string, error) {
	f, hdr, err := r.FormFile("scan")
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll() // parts larger than memory went to temporary files
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, "", err
		}
		return nil, "", store.Invalid("scan", "ocr.no_file", "choose a scan to upload")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, h.svc.opts.MaxBytes+1))
	if err != nil {
		return nil, "", err
	}
	if len(data) == 0 {
		return nil, "", store.Invalid("scan", "ocr.no_file", "choose a scan to upload")
	}
	return data, hdr.Filename, nil
}

func (h *Handlers) page(w http.ResponseWriter, r *http.Request) error {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		return store.NotFound("page")
	}
	data, mt, err := h.svc.PageImage(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("id"), n)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", mt)
	// A scan of a member's record: not kept by shared browsers or proxies.
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Disposition", "inline")
	_, err = w.Write(data)
	return err
}

// formField is one editable field of the review form, with what OCR made of it.
type formField struct {
	Name     string
	Label    string // message key
	Kind     string // text | date | gender | digits
	Max      int
	Required bool
	Value    string
	Raw      string // what was read, when it differs from the value shown
	Read     bool   // OCR found the field
	Conf     int    // percent
	Low      bool   // flagged for the reviewer
	Error    string
	read     string // the extracted field it is filled from
}

// formFields are the record's fields in the order of the paper form.
var formFields = []formField{
	{Name: "full_name", Kind: "text", Max: 120, Required: true, read: "full_name"},
	{Name: "other_names", Kind: "text", Max: 120, read: "other_names"},
	{Name: "gender", Kind: "gender", Required: true, read: "gender"},
	{Name: "birth_date", Kind: "date", Max: 10, Required: true, read: "birth_date"},
	{Name: "hometown", Kind: "text", Max: 300, read: "hometown"},
	{Name: "residence", Kind: "text", Max: 300, read: "residence"},
	{Name: "ethnicity", Kind: "text", Max: 100, read: "ethnicity"},
	{Name: "religion", Kind: "text", Max: 100, read: "religion"},
	{Name: "id_number", Kind: "digits", Max: 12, read: "id_number"},
	{Name: "card_number", Kind: "digits", Max: 12, Required: true, read: "card_number"},
	{Name: "admission_date", Kind: "date", Max: 10, Required: true, read: "admission_date"},
	{Name: "official_date", Kind: "date", Max: 10, read: "official_date"},
	{Name: "unit_code", Kind: "text", Max: 64, Required: true},
	{Name: "positions", Kind: "text", Max: 300, read: "positions"},
	{Name: "education", Kind: "text", Max: 100, read: "education"},
	{Name: "professional_level", Kind: "text", Max: 100, read: "professional_level"},
	{Name: "theory_level", Kind: "text", Max: 100, read: "theory_level"},
}

// flagged reports whether the reviewer must look at a field: read with a low confidence,
// or required and not read at all. An optional field the form left blank is not flagged.
func flagged(f formField, fields Fields) bool {
	got, ok := fields[f.read]
	return ok && got.Conf < LowConfidence || !ok && f.Required
}

func init() {
	for i := range formFields {
		formFields[i].Label = "ocr.f." + formFields[i].Name
	}
}

var isoDateRE = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`)
var dmyRE = regexp.MustCompile(`^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$`)

// showDate writes an ISO date the way Vietnamese forms do (17/05/1980); other text as is.
func showDate(v string) string {
	if m := isoDateRE.FindStringSubmatch(v); m != nil {
		return m[3] + "/" + m[2] + "/" + m[1]
	}
	return v
}

// isoDate reads a date typed as 17/05/1980 (or 17-5-1980, or 1980-05-17) into
// YYYY-MM-DD; anything else is returned as typed, for validation to refuse.
func isoDate(v string) string {
	v = strings.TrimSpace(v)
	if m := dmyRE.FindStringSubmatch(v); m != nil {
		return m[3] + "-" + pad2(m[2]) + "-" + pad2(m[1])
	}
	return v
}

func pad2(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return s
}

// recordFrom builds the member record from the submitted review form.
func recordFrom(form url.Values) member.Record {
	g := func(k string) string { return form.Get(k) }
	return member.Record{UnitCode: g("unit_code"), FullName: g("full_name"), OtherNames: g("other_names"), Gender: g("gender"),
		BirthDate: isoDate(g("birth_date")), Hometown: g("hometown"), Residence: g("residence"), Ethnicity: g("ethnicity"),
		Religion: g("religion"), IDNumber: g("id_number"), CardNumber: strings.TrimSpace(g("card_number")),
		AdmissionDate: isoDate(g("admission_date")), OfficialDate: isoDate(g("official_date")), Positions: g("positions"),
		Education: g("education"), ProfessionalLevel: g("professional_level"), TheoryLevel: g("theory_level")}
}

type reviewView struct {
	Intake      Intake
	Pending     bool
	Pages       []int
	Fields      []formField
	Low         []formField // fields flagged for checking, for the summary
	Error       string
	Reason      string
	RejectError string
}

// reviewView builds the review page: the form filled from what OCR read, or, after a
// refused submission, from what the reviewer typed (form non-nil), with errors by field.
func (h *Handlers) reviewView(r *http.Request, in Intake, form url.Values, errs map[string]string) (reviewView, error) {
	v := reviewView{Intake: in, Pending: in.State == StatePending}
	for i := range in.Pages {
		v.Pages = append(v.Pages, i+1)
	}
	unit, matched, err := h.svc.SuggestUnit(r.Context(), in)
	if err != nil {
		return v, err
	}
	for _, f := range formFields {
		if f.read != "" {
			got, ok := in.Fields[f.read]
			f.Read, f.Value, f.Conf = ok, got.Value, int(got.Conf*100+0.5)
			f.Low = flagged(f, in.Fields)
			// What was read, where it differs from what the field shows (a gender shows
			// as the word that was read, unless that word was doubtful).
			if got.Raw != got.Value && got.Raw != showDate(got.Value) && (f.Kind != "gender" || f.Low) {
				f.Raw = got.Raw
			}
		}
		if f.Name == "unit_code" {
			// The unit comes from the cell name written on the form, matched against the
			// units under the intake's; without a match the reviewer must choose it.
			got, ok := in.Fields["unit_name"]
			f.Value, f.Read, f.Raw = unit, ok, got.Raw
			f.Conf, f.Low = int(got.Conf*100+0.5), !matched || got.Conf < LowConfidence
		}
		if f.Kind == "date" {
			f.Value = showDate(f.Value)
		}
		if form != nil {
			f.Value = form.Get(f.Name)
		}
		f.Error = errs[f.Name]
		v.Fields = append(v.Fields, f)
		if f.Low {
			v.Low = append(v.Low, f)
		}
	}
	return v, nil
}

func (h *Handlers) review(w http.ResponseWriter, r *http.Request) error {
	in, err := h.svc.Get(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	v, err := h.reviewView(r, in, nil, nil)
	if err != nil {
		return err
	}
	return h.srv.Page(w, r, "ocr/review", v)
}

// fieldNames are the review form's fields, for placing errors.
var fieldNames = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range formFields {
		m[f.Name] = true
	}
	return m
}()

func (h *Handlers) approve(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	in, err := h.svc.Get(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	if in.State != StatePending {
		v, err := h.reviewView(r, in, nil, nil)
		if err != nil {
			return err
		}
		v.Error = h.message(r, errDecided())
		return h.srv.PageStatus(w, r, http.StatusConflict, "ocr/review", v)
	}
	if err := r.ParseForm(); err != nil {
		return store.Errorf(store.EINVALID, "unreadable form: %v", err)
	}
	rec := recordFrom(r.PostForm)
	// Validate here first to show every problem beside its field at once; Create checks
	// again (and the unit and the card number's uniqueness, which need the store).
	rec.Normalize()
	errs := map[string]string{}
	var general []string
	for _, fe := range rec.Validate(store.Now()) {
		msg := h.fieldMessage(r, fe)
		if !fieldNames[fe.Field] {
			general = append(general, msg)
			continue
		}
		if errs[fe.Field] == "" {
			errs[fe.Field] = msg
		}
	}
	status := http.StatusUnprocessableEntity
	var m member.Member
	if len(errs) == 0 && len(general) == 0 {
		m, err = h.svc.Approve(r.Context(), p, in.ID, rec, h.creator)
		switch c := store.ErrorCode(err); {
		case err == nil:
			http.Redirect(w, r, "/members/"+m.ID, http.StatusSeeOther)
			return nil
		case c == store.EINVALID || c == store.ECONFLICT || c == store.EFORBIDDEN:
			var e *store.Error
			if errors.As(err, &e) && fieldNames[e.Field] {
				errs[e.Field] = h.message(r, err)
			} else {
				general = append(general, h.message(r, err))
			}
			status = web.Status(err)
			if in, err = h.svc.Get(r.Context(), p, in.ID); err != nil { // its state may have changed
				return err
			}
		default:
			return err
		}
	}
	v, err := h.reviewView(r, in, r.PostForm, errs)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		general = append([]string{h.srv.Catalog().T(web.Lang(r), "ocr.fix_errors", len(errs))}, general...)
	}
	v.Error = strings.Join(general, " ")
	return h.srv.PageStatus(w, r, status, "ocr/review", v)
}

func (h *Handlers) reject(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	in, err := h.svc.Get(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	err = h.svc.Reject(r.Context(), p, in.ID, r.PostFormValue("reason"))
	if c := store.ErrorCode(err); err != nil && (c == store.EINVALID || c == store.ECONFLICT) {
		in, gerr := h.svc.Get(r.Context(), p, in.ID) // its state may have changed
		if gerr != nil {
			return gerr
		}
		v, verr := h.reviewView(r, in, nil, nil)
		if verr != nil {
			return verr
		}
		v.Reason, v.RejectError = r.PostFormValue("reason"), h.message(r, err)
		if c == store.ECONFLICT {
			v.Error, v.RejectError = v.RejectError, ""
		}
		return h.srv.PageStatus(w, r, web.Status(err), "ocr/review", v)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/ocr/intakes/"+in.ID, http.StatusSeeOther)
	return nil
}

// Messages are the OCR texts. The "ocr.mem.*" keys translate member.Record's validation
// errors on the review form without depending on which of them internal/member defines.
var Messages = web.Messages{
	"ocr.title":          {"vi": "Nhập hồ sơ từ bản quét", "en": "Records from scans"},
	"ocr.intro":          {"vi": "Tải lên bản quét phiếu hoặc lý lịch đảng viên. Máy đọc chữ (OCR) điền sẵn các trường; cán bộ kiểm tra, sửa và duyệt. Không có gì vào hồ sơ đảng viên khi chưa được duyệt.", "en": "Upload a scanned member form. Text recognition (OCR) fills in the fields; an officer checks, corrects and approves them. Nothing enters the member records until approved."},
	"ocr.upload":         {"vi": "Tải lên bản quét", "en": "Upload a scan"},
	"ocr.unit":           {"vi": "Đơn vị", "en": "Unit"},
	"ocr.file":           {"vi": "Tệp bản quét", "en": "Scan file"},
	"ocr.file_hint":      {"vi": "PNG, JPEG hoặc PDF; tối đa %d MB và %d trang. Đọc mất vài giây mỗi trang.", "en": "PNG, JPEG or PDF; at most %d MB and %d pages. Reading takes a few seconds a page."},
	"ocr.upload_button":  {"vi": "Tải lên và đọc", "en": "Upload and read"},
	"ocr.no_units":       {"vi": "Đồng chí chưa có quyền nhập hồ sơ đảng viên ở đơn vị nào.", "en": "You may not add member records in any unit."},
	"ocr.pending":        {"vi": "Chờ duyệt", "en": "Awaiting review"},
	"ocr.none_pending":   {"vi": "Không có bản quét nào chờ duyệt.", "en": "No scans await review."},
	"ocr.read_name":      {"vi": "Họ và tên (đọc được)", "en": "Name (as read)"},
	"ocr.no_name":        {"vi": "(không đọc được tên)", "en": "(name not read)"},
	"ocr.uploaded":       {"vi": "Tải lên lúc", "en": "Uploaded"},
	"ocr.to_check":       {"vi": "Trường cần kiểm tra", "en": "Fields to check"},
	"ocr.review_title":   {"vi": "Duyệt hồ sơ từ bản quét", "en": "Review a scanned record"},
	"ocr.back":           {"vi": "← Danh sách chờ duyệt", "en": "← Review queue"},
	"ocr.scan":           {"vi": "Bản quét", "en": "Scan"},
	"ocr.page":           {"vi": "Trang %d", "en": "Page %d"},
	"ocr.page_alt":       {"vi": "Bản quét, trang %d", "en": "Scan, page %d"},
	"ocr.open_full":      {"vi": "Mở ảnh đầy đủ", "en": "Open full size"},
	"ocr.raw_text":       {"vi": "Văn bản máy đọc được", "en": "Text as read"},
	"ocr.fields":         {"vi": "Thông tin đọc được", "en": "Fields read"},
	"ocr.check_summary":  {"vi": "%d trường cần kiểm tra kỹ (độ tin cậy thấp hoặc không đọc được):", "en": "%d fields need checking (low confidence or not read):"},
	"ocr.check":          {"vi": "Cần kiểm tra: độ tin cậy %d%%.", "en": "Check this: confidence %d%%."},
	"ocr.not_read":       {"vi": "Cần nhập: không đọc được trên bản quét.", "en": "Enter this: not found on the scan."},
	"ocr.conf":           {"vi": "Độ tin cậy %d%%.", "en": "Confidence %d%%."},
	"ocr.read_as":        {"vi": "Máy đọc:", "en": "Read as:"},
	"ocr.date_hint":      {"vi": "ngày/tháng/năm", "en": "day/month/year"},
	"ocr.required":       {"vi": "bắt buộc", "en": "required"},
	"ocr.male":           {"vi": "Nam", "en": "Male"},
	"ocr.female":         {"vi": "Nữ", "en": "Female"},
	"ocr.approve":        {"vi": "Duyệt và tạo hồ sơ đảng viên", "en": "Approve and create the member record"},
	"ocr.reject_title":   {"vi": "Từ chối bản quét này", "en": "Reject this scan"},
	"ocr.reject_reason":  {"vi": "Lý do từ chối", "en": "Reason for rejecting"},
	"ocr.reject":         {"vi": "Từ chối", "en": "Reject"},
	"ocr.state.pending":  {"vi": "Chờ duyệt", "en": "Awaiting review"},
	"ocr.state.approved": {"vi": "Đã duyệt", "en": "Approved"},
	"ocr.state.rejected": {"vi": "Đã từ chối", "en": "Rejected"},
	"ocr.approved":       {"vi": "Bản quét này đã được duyệt thành hồ sơ đảng viên.", "en": "This scan was approved as a member record."},
	"ocr.open_member":    {"vi": "Xem hồ sơ", "en": "Open the record"},
	"ocr.rejected":       {"vi": "Bản quét này đã bị từ chối. Lý do:", "en": "This scan was rejected. Reason:"},
	"ocr.fix_errors":     {"vi": "Chưa tạo hồ sơ: %d trường cần sửa (xem bên dưới).", "en": "Nothing was created: %d fields need correcting (see below)."},

	"ocr.f.full_name":          {"vi": "Họ và tên", "en": "Full name"},
	"ocr.f.other_names":        {"vi": "Tên gọi khác", "en": "Other names"},
	"ocr.f.gender":             {"vi": "Giới tính", "en": "Gender"},
	"ocr.f.birth_date":         {"vi": "Ngày sinh", "en": "Date of birth"},
	"ocr.f.hometown":           {"vi": "Quê quán", "en": "Hometown"},
	"ocr.f.residence":          {"vi": "Nơi ở hiện nay", "en": "Residence"},
	"ocr.f.ethnicity":          {"vi": "Dân tộc", "en": "Ethnicity"},
	"ocr.f.religion":           {"vi": "Tôn giáo", "en": "Religion"},
	"ocr.f.id_number":          {"vi": "Số CCCD", "en": "Citizen ID number"},
	"ocr.f.card_number":        {"vi": "Số thẻ đảng viên", "en": "Party card number"},
	"ocr.f.admission_date":     {"vi": "Ngày vào Đảng", "en": "Admission date"},
	"ocr.f.official_date":      {"vi": "Ngày chính thức", "en": "Official membership date"},
	"ocr.f.unit_code":          {"vi": "Mã chi bộ", "en": "Cell code"},
	"ocr.f.positions":          {"vi": "Chức vụ", "en": "Positions"},
	"ocr.f.education":          {"vi": "Giáo dục phổ thông", "en": "General education"},
	"ocr.f.professional_level": {"vi": "Chuyên môn nghiệp vụ", "en": "Professional qualification"},
	"ocr.f.theory_level":       {"vi": "Lý luận chính trị", "en": "Political theory"},

	"ocr.type_unsupported": {"vi": "Tệp không phải ảnh PNG, JPEG hay tệp PDF.", "en": "The file is not a PNG, JPEG or PDF."},
	"ocr.too_large":        {"vi": "Tệp quá lớn (tối đa %d MB).", "en": "The file is too large (at most %d MB)."},
	"ocr.image_too_big":    {"vi": "Ảnh %d×%d điểm ảnh, quá lớn (tối đa %d megapixel).", "en": "The image is %d×%d pixels, too large (at most %d megapixels)."},
	"ocr.image_too_small":  {"vi": "Ảnh %d×%d điểm ảnh, quá nhỏ để đọc (mỗi chiều ít nhất %d).", "en": "The image is %d×%d pixels, too small to read (at least %d each way)."},
	"ocr.image_corrupt":    {"vi": "Không đọc được ảnh: tệp bị hỏng.", "en": "The image cannot be read: the file is damaged."},
	"ocr.pdf_unreadable":   {"vi": "Không đọc được tệp PDF (hỏng hoặc có mật khẩu).", "en": "The PDF cannot be read (damaged or password-protected)."},
	"ocr.too_many_pages":   {"vi": "Tệp PDF có hơn %d trang. Mỗi tệp chỉ gồm hồ sơ của một người.", "en": "The PDF has more than %d pages. Upload one person's record per file."},
	"ocr.unit_unknown":     {"vi": "Đơn vị không tồn tại hoặc đồng chí không có quyền nhập hồ sơ ở đó.", "en": "The unit does not exist or you may not add records there."},
	"ocr.no_file":          {"vi": "Vui lòng chọn tệp bản quét.", "en": "Choose a scan file."},
	"ocr.decided":          {"vi": "Bản quét này đã được duyệt hoặc từ chối, hoặc đang được người khác duyệt.", "en": "This scan was already approved or rejected, or someone is approving it now."},
	"ocr.reason_required":  {"vi": "Vui lòng nhập lý do từ chối.", "en": "Enter a reason for rejecting."},
	"ocr.reason_too_long":  {"vi": "Lý do quá dài (tối đa %d ký tự).", "en": "The reason is too long (at most %d characters)."},
	"ocr.reason_invalid":   {"vi": "Lý do có ký tự không hợp lệ.", "en": "The reason contains invalid characters."},

	"ocr.mem.required":         {"vi": "Trường này bắt buộc.", "en": "This field is required."},
	"ocr.mem.text_invalid":     {"vi": "Có ký tự không hợp lệ.", "en": "Contains invalid characters."},
	"ocr.mem.too_long":         {"vi": "Quá dài.", "en": "Too long."},
	"ocr.mem.name_digits":      {"vi": "Họ tên không được có chữ số.", "en": "A name has no digits."},
	"ocr.mem.gender_invalid":   {"vi": "Chọn Nam hoặc Nữ.", "en": "Choose male or female."},
	"ocr.mem.card_invalid":     {"vi": "Số thẻ đảng viên gồm 6 đến 12 chữ số.", "en": "A party card number has 6 to 12 digits."},
	"ocr.mem.id_invalid":       {"vi": "Số CCCD gồm 12 chữ số (CMND cũ: 9).", "en": "A citizen ID has 12 digits (old ID cards: 9)."},
	"ocr.mem.date_invalid":     {"vi": "Ngày không hợp lệ; nhập theo dạng ngày/tháng/năm, ví dụ 17/05/1980.", "en": "Not a date; type day/month/year, e.g. 17/05/1980."},
	"ocr.mem.date_range":       {"vi": "Ngày nằm ngoài khoảng hợp lệ.", "en": "The date is out of range."},
	"ocr.mem.date_future":      {"vi": "Ngày không được ở tương lai.", "en": "The date is in the future."},
	"ocr.mem.admission_age":    {"vi": "Ngày vào Đảng phải sau sinh nhật 18 tuổi.", "en": "Admission must be after the 18th birthday."},
	"ocr.mem.official_before":  {"vi": "Ngày chính thức phải sau ngày vào Đảng.", "en": "The official date must follow the admission date."},
	"ocr.mem.official_missing": {"vi": "Đảng viên chính thức cần có ngày chính thức.", "en": "An official member needs an official date."},
	"ocr.mem.card_taken":       {"vi": "Số thẻ đảng viên này đã có trong hồ sơ.", "en": "This party card number is already on record."},
	"ocr.mem.unit_unknown":     {"vi": "Mã chi bộ không tồn tại hoặc đồng chí không xem được.", "en": "Unknown cell code, or not visible to you."},
}
