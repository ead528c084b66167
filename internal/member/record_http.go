package member

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"dais/internal/store"
	"dais/internal/web"
)

// recordFields are the editable fields of a record, in form order, with their labels.
var recordFields = []struct{ Name, Label, Kind string }{
	{"full_name", "mem.full_name", "text"}, {"other_names", "mem.other_names", "text"},
	{"gender", "mem.gender", "gender"}, {"birth_date", "mem.birth_date", "date"},
	{"hometown", "mem.hometown", "text"}, {"residence", "mem.residence", "text"},
	{"ethnicity", "mem.ethnicity", "text"}, {"religion", "mem.religion", "text"},
	{"id_number", "mem.id_number", "digits"}, {"admission_date", "mem.admission", "date"},
	{"official_date", "mem.official", "date"}, {"positions", "mem.positions", "text"},
	{"education", "mem.education", "text"}, {"professional_level", "mem.professional_level", "text"},
	{"theory_level", "mem.theory_level", "text"},
}

type showView struct {
	Member    Member
	Record    Record
	Fields    any
	CanWrite  bool
	Versions  []Version
	Transfers []Transfer
	Moves     []string
	Error     string
	Field     string
	Notice    string
}

func (h *Handlers) showView(r *http.Request, id string) (showView, error) {
	p := web.PrincipalFrom(r.Context())
	m, err := h.svc.Get(r.Context(), p, id)
	if err != nil {
		return showView{}, err
	}
	v := showView{Member: m, Record: m.record(), Fields: recordFields, CanWrite: m.CanEdit(p), Moves: statusMoves[m.Status]}
	if v.Versions, err = h.svc.Versions(r.Context(), p, id); err != nil {
		return v, err
	}
	all, err := h.svc.transfersOf(r.Context(), m.ID)
	if err != nil {
		return v, err
	}
	v.Transfers = all
	return v, nil
}

func (h *Handlers) show(w http.ResponseWriter, r *http.Request) error {
	v, err := h.showView(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.srv.Page(w, r, "member/show", v)
}

// formResult re-renders the record page with an error (4xx) or a notice.
func (h *Handlers) formResult(w http.ResponseWriter, r *http.Request, err error, notice string) error {
	if c := store.ErrorCode(err); err != nil && c != store.EINVALID && c != store.ECONFLICT && c != store.EFORBIDDEN {
		return err
	}
	v, verr := h.showView(r, r.PathValue("id"))
	if verr != nil {
		return verr
	}
	if err != nil {
		v.Error = h.srv.ErrorMessage(r, err)
		if e, ok := err.(*store.Error); ok {
			v.Field = e.Field
		}
		return h.srv.PageStatus(w, r, web.Status(err), "member/show", v)
	}
	v.Notice = h.srv.Catalog().T(web.Lang(r), notice)
	return h.srv.Page(w, r, "member/show", v)
}

// patchFromForm takes the fields present in the form (absent fields stay unchanged).
func patchFromForm(f url.Values) (Patch, error) {
	var p Patch
	version, err := strconv.Atoi(f.Get("version"))
	if err != nil {
		return p, store.Invalid("version", "err.query", "bad %s", "version")
	}
	p.Version, p.Reason = version, f.Get("reason")
	ptr := func(name string) *string {
		if _, ok := f[name]; !ok {
			return nil
		}
		v := f.Get(name)
		return &v
	}
	p.FullName, p.OtherNames, p.Gender, p.BirthDate = ptr("full_name"), ptr("other_names"), ptr("gender"), ptr("birth_date")
	p.Hometown, p.Residence, p.Ethnicity, p.Religion = ptr("hometown"), ptr("residence"), ptr("ethnicity"), ptr("religion")
	p.IDNumber, p.AdmissionDate, p.OfficialDate = ptr("id_number"), ptr("admission_date"), ptr("official_date")
	p.Positions, p.Education, p.ProfessionalLevel, p.TheoryLevel = ptr("positions"), ptr("education"), ptr("professional_level"), ptr("theory_level")
	return p, nil
}

func (h *Handlers) edit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return store.Invalid("form", "err.invalid", "bad form")
	}
	patch, err := patchFromForm(r.PostForm)
	if err == nil {
		_, err = h.svc.Update(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("id"), patch)
	}
	return h.formResult(w, r, err, "mem.saved")
}

func (h *Handlers) status(w http.ResponseWriter, r *http.Request) error {
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	_, err := h.svc.ChangeStatus(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("id"), r.PostFormValue("status"),
		r.PostFormValue("status_date"), r.PostFormValue("status_reason"), version)
	return h.formResult(w, r, err, "mem.saved")
}

func (h *Handlers) uploadPhoto(w http.ResponseWriter, r *http.Request) error {
	f, _, err := r.FormFile("photo")
	if err != nil {
		var me *http.MaxBytesError
		if errors.As(err, &me) {
			return err
		}
		return h.formResult(w, r, store.Invalid("photo", "mem.photo_size", "choose a photo"), "")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxPhotoBytes+1))
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(r.FormValue("version"))
	_, err = h.svc.SetPhoto(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("id"), data, version)
	return h.formResult(w, r, err, "mem.saved")
}

func (h *Handlers) photo(w http.ResponseWriter, r *http.Request) error {
	data, err := h.svc.Photo(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Write(data)
	return nil
}

func (h *Handlers) issueTransfer(w http.ResponseWriter, r *http.Request) error {
	_, err := h.svc.IssueTransfer(r.Context(), web.PrincipalFrom(r.Context()), NewTransfer{MemberID: r.PathValue("id"),
		ToUnitCode: r.PostFormValue("to_unit_code"), Kind: r.PostFormValue("kind"), Reason: r.PostFormValue("reason"), EndsOn: r.PostFormValue("ends_on")})
	return h.formResult(w, r, err, "mem.transfer_issued")
}

type diffView struct {
	Member  Member
	A, B    Version
	Changes []Change
	Options []Version
}

func (h *Handlers) diff(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	m, err := h.svc.Get(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	vs, err := h.svc.Versions(r.Context(), p, m.ID)
	if err != nil {
		return err
	}
	pick := func(name string, def int) (Version, error) {
		n := def
		if s := r.URL.Query().Get(name); s != "" {
			if n, err = strconv.Atoi(s); err != nil {
				return Version{}, store.Invalid(name, "err.query", "bad %s", name)
			}
		}
		for _, v := range vs {
			if v.Version == n {
				return v, nil
			}
		}
		return Version{}, store.Invalid(name, "err.query", "no version %d", n)
	}
	b, err := pick("b", m.Version)
	if err != nil {
		return err
	}
	a, err := pick("a", max(1, b.Version-1))
	if err != nil {
		return err
	}
	return h.srv.Page(w, r, "member/diff", diffView{Member: m, A: a, B: b, Changes: Diff(a, b), Options: vs})
}

type newView struct {
	UnitCode, UnitName string
	Record             Record
	Fields             any
	Error, Field       string
}

func (h *Handlers) newForm(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	path, name, err := h.units.UnitPath(r.Context(), p, r.PathValue("code"))
	if err != nil {
		return err
	}
	if !p.Can(store.PermMemberWrite, path) {
		return &store.Error{Code: store.EFORBIDDEN, Key: "err.forbidden", Message: "not allowed"}
	}
	return h.srv.Page(w, r, "member/new", newView{UnitCode: strings.ToUpper(r.PathValue("code")), UnitName: name, Fields: recordFields})
}

func recordFromForm(f url.Values, unit string) Record {
	return Record{UnitCode: unit, FullName: f.Get("full_name"), OtherNames: f.Get("other_names"), Gender: f.Get("gender"),
		BirthDate: f.Get("birth_date"), Hometown: f.Get("hometown"), Residence: f.Get("residence"), Ethnicity: f.Get("ethnicity"),
		Religion: f.Get("religion"), IDNumber: f.Get("id_number"), CardNumber: f.Get("card_number"), AdmissionDate: f.Get("admission_date"),
		OfficialDate: f.Get("official_date"), Positions: f.Get("positions"), Education: f.Get("education"),
		ProfessionalLevel: f.Get("professional_level"), TheoryLevel: f.Get("theory_level")}
}

func (h *Handlers) create(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	code := strings.ToUpper(r.PathValue("code"))
	_, name, err := h.units.UnitPath(r.Context(), p, code)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return store.Invalid("form", "err.invalid", "bad form")
	}
	rec := recordFromForm(r.PostForm, code)
	m, err := h.svc.Create(r.Context(), p, rec, r.PostFormValue("reason"))
	if c := store.ErrorCode(err); c == store.EINVALID || c == store.ECONFLICT {
		v := newView{UnitCode: code, UnitName: name, Record: rec, Fields: recordFields, Error: h.srv.ErrorMessage(r, err)}
		if e, ok := err.(*store.Error); ok {
			v.Field = e.Field
		}
		return h.srv.PageStatus(w, r, web.Status(err), "member/new", v)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/members/"+m.ID, http.StatusSeeOther)
	return nil
}

func (h *Handlers) stats(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	path, name, err := h.units.UnitPath(r.Context(), p, r.PathValue("code"))
	if err != nil {
		return err
	}
	if !p.Can(store.PermMemberRead, path) {
		return store.NotFound("unit")
	}
	st, err := h.svc.Stats(r.Context(), path, store.Now())
	if err != nil {
		return err
	}
	return h.srv.Page(w, r, "member/stats", map[string]any{"UnitCode": strings.ToUpper(r.PathValue("code")), "UnitName": name, "Stats": st})
}

func (h *Handlers) transfers(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	path, name, err := h.units.UnitPath(r.Context(), p, r.PathValue("code"))
	if err != nil {
		return err
	}
	ts, err := h.svc.Transfers(r.Context(), p, path)
	if err != nil {
		return err
	}
	type row struct {
		Transfer
		CanReceive, CanCancel, CanPrint bool
	}
	rows := make([]row, len(ts))
	for i, t := range ts {
		issuer := p.Can(store.PermMemberWrite, t.fromPath)
		rows[i] = row{t, t.State == TransferIssued && p.Can(store.PermMemberWrite, t.toPath), t.State == TransferIssued && issuer, issuer}
	}
	return h.srv.Page(w, r, "member/transfers", map[string]any{"UnitCode": strings.ToUpper(r.PathValue("code")), "UnitName": name, "Rows": rows})
}

func (h *Handlers) receive(w http.ResponseWriter, r *http.Request) error {
	t, err := h.svc.ReceiveTransfer(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/units/"+t.ToUnitCode+"/transfers", http.StatusSeeOther)
	return nil
}

func (h *Handlers) cancel(w http.ResponseWriter, r *http.Request) error {
	t, err := h.svc.CancelTransfer(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/units/"+t.FromUnitCode+"/transfers", http.StatusSeeOther)
	return nil
}

func (h *Handlers) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Record
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	in.UnitCode = r.PathValue("code")
	m, err := h.svc.Create(r.Context(), web.PrincipalFrom(r.Context()), in.Record, in.Reason)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"member": m})
	return nil
}

func (h *Handlers) apiVersions(w http.ResponseWriter, r *http.Request) error {
	vs, err := h.svc.Versions(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	if vs == nil {
		vs = []Version{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"versions": vs})
	return nil
}

func (h *Handlers) apiStatus(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Status  string `json:"status"`
		Date    string `json:"date"`
		Reason  string `json:"reason"`
		Version int    `json:"version"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	m, err := h.svc.ChangeStatus(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("id"), in.Status, in.Date, in.Reason, in.Version)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"member": m})
	return nil
}

func (h *Handlers) apiTransfers(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	path, _, err := h.units.UnitPath(r.Context(), p, r.PathValue("code"))
	if err != nil {
		return err
	}
	ts, err := h.svc.Transfers(r.Context(), p, path)
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []Transfer{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"transfers": ts})
	return nil
}

func (h *Handlers) apiIssue(w http.ResponseWriter, r *http.Request) error {
	var in NewTransfer
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	t, err := h.svc.IssueTransfer(r.Context(), web.PrincipalFrom(r.Context()), in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"transfer": t})
	return nil
}

func (h *Handlers) apiReceive(w http.ResponseWriter, r *http.Request) error {
	t, err := h.svc.ReceiveTransfer(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"transfer": t})
	return nil
}

func (h *Handlers) apiCancel(w http.ResponseWriter, r *http.Request) error {
	t, err := h.svc.CancelTransfer(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"transfer": t})
	return nil
}

// RecordMessages are the texts of the record, history, status and transfer pages.
var RecordMessages = web.Messages{
	"mem.other_names":         {"vi": "Tên gọi khác", "en": "Other names"},
	"mem.residence":           {"vi": "Nơi ở hiện nay", "en": "Residence"},
	"mem.religion":            {"vi": "Tôn giáo", "en": "Religion"},
	"mem.id_number":           {"vi": "Số CCCD", "en": "Citizen ID number"},
	"mem.positions":           {"vi": "Chức vụ", "en": "Positions"},
	"mem.education":           {"vi": "Trình độ học vấn", "en": "Education"},
	"mem.professional_level":  {"vi": "Chuyên môn", "en": "Professional level"},
	"mem.theory_level":        {"vi": "Lý luận chính trị", "en": "Political theory"},
	"mem.reason":              {"vi": "Lý do thay đổi", "en": "Reason for the change"},
	"mem.history":             {"vi": "Lịch sử hồ sơ", "en": "Record history"},
	"mem.version":             {"vi": "Phiên bản", "en": "Version"},
	"mem.when":                {"vi": "Thời điểm", "en": "When"},
	"mem.who":                 {"vi": "Người thực hiện", "en": "By"},
	"mem.compare":             {"vi": "So sánh", "en": "Compare"},
	"mem.diff_title":          {"vi": "So sánh phiên bản %d và %d", "en": "Versions %d and %d compared"},
	"mem.diff_field":          {"vi": "Trường", "en": "Field"},
	"mem.diff_from":           {"vi": "Trước", "en": "Before"},
	"mem.diff_to":             {"vi": "Sau", "en": "After"},
	"mem.diff_none":           {"vi": "Hai phiên bản giống nhau.", "en": "The two versions are the same."},
	"mem.status_change":       {"vi": "Thay đổi trạng thái", "en": "Change status"},
	"mem.status_date":         {"vi": "Ngày", "en": "Date"},
	"mem.status_reason":       {"vi": "Lý do", "en": "Reason"},
	"mem.status.in_transit":   {"vi": "Đang chuyển sinh hoạt", "en": "In transit"},
	"mem.status.deceased":     {"vi": "Từ trần", "en": "Deceased"},
	"mem.status.expelled":     {"vi": "Khai trừ", "en": "Expelled"},
	"mem.status.removed":      {"vi": "Xóa tên", "en": "Removed"},
	"mem.add":                 {"vi": "Thêm đảng viên", "en": "Add a member"},
	"mem.transfers":           {"vi": "Chuyển sinh hoạt đảng", "en": "Transfers"},
	"mem.transfer_issue":      {"vi": "Giới thiệu chuyển sinh hoạt", "en": "Issue a transfer"},
	"mem.transfer_to":         {"vi": "Mã đơn vị nhận", "en": "Receiving unit code"},
	"mem.transfer_kind_label": {"vi": "Hình thức", "en": "Kind"},
	"mem.transfer.official":   {"vi": "Chính thức", "en": "Official"},
	"mem.transfer.temporary":  {"vi": "Tạm thời", "en": "Temporary"},
	"mem.transfer_ends":       {"vi": "Đến ngày (chuyển tạm thời)", "en": "Until (temporary transfer)"},
	"mem.transfer_issued":     {"vi": "Đã cấp giấy giới thiệu sinh hoạt đảng.", "en": "The introduction letter was issued."},
	"mem.transfer_letter":     {"vi": "Số giấy", "en": "Letter no."},
	"mem.transfer_from":       {"vi": "Từ", "en": "From"},
	"mem.transfer_state":      {"vi": "Tình trạng", "en": "State"},
	"mem.transfer_expires":    {"vi": "Hạn", "en": "Valid until"},
	"mem.transfer.issued":     {"vi": "Đang chờ tiếp nhận", "en": "Awaiting receipt"},
	"mem.transfer.received":   {"vi": "Đã tiếp nhận", "en": "Received"},
	"mem.transfer.cancelled":  {"vi": "Đã hủy", "en": "Cancelled"},
	"mem.transfer.expired":    {"vi": "Quá hạn", "en": "Expired"},
	"mem.transfer.ended":      {"vi": "Đã kết thúc", "en": "Ended"},
	"mem.transfer_receive":    {"vi": "Tiếp nhận", "en": "Receive"},
	"mem.transfer_cancel":     {"vi": "Hủy", "en": "Cancel"},
	"mem.transfers_none":      {"vi": "Chưa có lượt chuyển sinh hoạt nào.", "en": "No transfers yet."},
	"mem.stats_title":         {"vi": "Thống kê đảng viên", "en": "Member statistics"},
	"mem.stats_gender":        {"vi": "Giới tính", "en": "Gender"},
	"mem.stats_age":           {"vi": "Độ tuổi", "en": "Age"},
	"mem.stats_ethnicity":     {"vi": "Dân tộc", "en": "Ethnicity"},
	"mem.stats_admission":     {"vi": "Thập niên vào Đảng", "en": "Decade of admission"},
	"mem.stats_status":        {"vi": "Trạng thái", "en": "Status"},
	"mem.stats_total":         {"vi": "Tổng số: %d đảng viên", "en": "Total: %d members"},
	"mem.too_long":            {"vi": "Quá dài.", "en": "Too long."},
	"mem.name_digits":         {"vi": "Họ tên không được chứa chữ số.", "en": "Names must not contain digits."},
	"mem.gender_invalid":      {"vi": "Giới tính phải là Nam hoặc Nữ.", "en": "Gender must be male or female."},
	"mem.card_invalid":        {"vi": "Số thẻ đảng viên gồm 6 đến 12 chữ số.", "en": "Party card numbers have 6 to 12 digits."},
	"mem.id_invalid":          {"vi": "Số CCCD gồm 12 chữ số (CMND cũ: 9 chữ số).", "en": "Citizen ID numbers have 12 digits (old ID cards: 9)."},
	"mem.date_invalid":        {"vi": "Ngày không hợp lệ.", "en": "Invalid date."},
	"mem.date_range":          {"vi": "Ngày nằm ngoài khoảng cho phép.", "en": "The date is out of range."},
	"mem.date_future":         {"vi": "Ngày không được ở tương lai.", "en": "The date cannot be in the future."},
	"mem.admission_age":       {"vi": "Ngày vào Đảng phải sau khi đủ 18 tuổi.", "en": "Admission must be after the 18th birthday."},
	"mem.official_before":     {"vi": "Ngày chính thức phải sau ngày vào Đảng.", "en": "The official date must follow admission."},
	"mem.official_missing":    {"vi": "Đảng viên chính thức phải có ngày chính thức.", "en": "An official member needs an official date."},
	"mem.status_invalid":      {"vi": "Trạng thái không hợp lệ.", "en": "Unknown status."},
	"mem.status_transit":      {"vi": "Trạng thái này chỉ do thủ tục chuyển sinh hoạt đặt.", "en": "Only transfers set this status."},
	"mem.status_move":         {"vi": "Không thể chuyển sang trạng thái này.", "en": "This status change is not allowed."},
	"mem.reason_required":     {"vi": "Vui lòng nhập lý do.", "en": "A reason is required."},
	"mem.unit_unknown":        {"vi": "Mã đơn vị không tồn tại.", "en": "Unknown unit code."},
	"mem.not_in_unit":         {"vi": "Có đảng viên không thuộc đơn vị này.", "en": "Some members are not in this unit."},
	"mem.import_moves":        {"vi": "Đảng viên thuộc đơn vị khác: hãy làm thủ tục chuyển sinh hoạt.", "en": "The member belongs to another unit: use a transfer."},
	"mem.transfer_kind":       {"vi": "Hình thức chuyển không hợp lệ.", "en": "Unknown kind of transfer."},
	"mem.transfer_end":        {"vi": "Chuyển tạm thời cần ngày kết thúc trong vòng hai năm.", "en": "A temporary transfer needs an end date within two years."},
	"mem.transfer_same":       {"vi": "Đảng viên đã ở đơn vị này.", "en": "The member is already in this unit."},
	"mem.transfer_level":      {"vi": "Việc chuyển này phải do cấp ủy cấp trên chung của hai đơn vị thực hiện.", "en": "This transfer must be issued at the level common to both units."},
	"mem.transfer_open":       {"vi": "Đảng viên đang có một thủ tục chuyển sinh hoạt chưa xong.", "en": "The member already has an open transfer."},
	"mem.transfer_status":     {"vi": "Chỉ chuyển sinh hoạt cho đảng viên đang sinh hoạt.", "en": "Only current members can be transferred."},
	"mem.transfer_closed":     {"vi": "Giấy giới thiệu này đã được xử lý.", "en": "This transfer has already been handled."},
	"mem.photo":               {"vi": "Ảnh", "en": "Photo"},
	"mem.photo_alt":           {"vi": "Ảnh của đồng chí %s", "en": "Photo of %s"},
	"mem.photo_upload":        {"vi": "Tải ảnh mới (JPEG hoặc PNG, tối đa 5 MB)", "en": "Upload a new photo (JPEG or PNG, at most 5 MB)"},
	"mem.photo_size":          {"vi": "Vui lòng chọn ảnh (tối đa 5 MB).", "en": "Choose a photo (at most 5 MB)."},
	"mem.photo_type":          {"vi": "Ảnh phải là tệp JPEG hoặc PNG đọc được.", "en": "The photo must be a readable JPEG or PNG file."},
	"mem.export_too_big":      {"vi": "Đơn vị có %d đảng viên, vượt giới hạn xuất %d: hãy xuất từng đơn vị nhỏ hơn.", "en": "%d members exceed the export limit of %d: export a smaller unit."},
	"mem.export":              {"vi": "Tải danh sách", "en": "Download the list"},
	"mem.letter":              {"vi": "In giấy giới thiệu", "en": "Print the letter"},
	"mem.created_reason":      {"vi": "Ghi chú (ví dụ: kết nạp, nhận từ hồ sơ giấy)", "en": "Note (e.g. admitted, from a paper record)"},
}
