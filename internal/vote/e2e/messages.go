package e2e

// Messages are the texts of this package's error keys, Vietnamese first. Each takes one
// argument, the English detail naming the element at fault. Register them in the web
// catalog with web.Messages(e2e.Messages).
var Messages = map[string]map[string]string{
	"err.e2e_hex_length":             {"vi": "Độ dài mã hex không đúng (%s)", "en": "Wrong hex length (%s)"},
	"err.e2e_hex":                    {"vi": "Mã hex không hợp lệ: chỉ dùng chữ thường 0–9, a–f (%s)", "en": "Invalid hex: lowercase 0–9, a–f only (%s)"},
	"err.e2e_point":                  {"vi": "Điểm nhóm không hợp lệ (%s)", "en": "Invalid group element (%s)"},
	"err.e2e_scalar":                 {"vi": "Số vô hướng không hợp lệ (%s)", "en": "Invalid scalar (%s)"},
	"err.e2e_manifest_id":            {"vi": "Bản mô tả cuộc bầu cử thiếu mã (%s)", "en": "The election manifest has no id (%s)"},
	"err.e2e_manifest_candidates":    {"vi": "Số ứng cử viên không hợp lệ (%s)", "en": "Invalid number of candidates (%s)"},
	"err.e2e_manifest_candidate_id":  {"vi": "Ứng cử viên thiếu mã (%s)", "en": "A candidate has no id (%s)"},
	"err.e2e_manifest_candidate_dup": {"vi": "Mã ứng cử viên bị trùng (%s)", "en": "Duplicate candidate id (%s)"},
	"err.e2e_manifest_k":             {"vi": "Số người được chọn tối đa không hợp lệ (%s)", "en": "Invalid maximum number of choices (%s)"},
	"err.e2e_manifest_trustees":      {"vi": "Số thành viên giữ khóa không hợp lệ (%s)", "en": "Invalid number of trustees (%s)"},
	"err.e2e_manifest_threshold":     {"vi": "Ngưỡng giải mã không hợp lệ (%s)", "en": "Invalid decryption threshold (%s)"},
	"err.e2e_manifest_rule":          {"vi": "Quy tắc xác định kết quả không được hỗ trợ (%s)", "en": "Unsupported result rule (%s)"},
	"err.e2e_manifest_base":          {"vi": "Cơ sở tính quá bán không hợp lệ (%s)", "en": "Invalid majority base (%s)"},
	"err.e2e_manifest_convened":      {"vi": "Số đại biểu triệu tập không hợp lệ (%s)", "en": "Invalid number of delegates convened (%s)"},
	"err.e2e_manifest_json":          {"vi": "Bản mô tả cuộc bầu cử không đọc được (%s)", "en": "The election manifest cannot be read (%s)"},
	"err.e2e_jcs":                    {"vi": "Bản mô tả không ở dạng JSON cho phép (%s)", "en": "The manifest is not in the allowed JSON form (%s)"},
	"err.e2e_record_size":            {"vi": "Biên bản điện tử quá lớn (%s)", "en": "The election record is too large (%s)"},
	"err.e2e_record_json":            {"vi": "Biên bản điện tử không đọc được (%s)", "en": "The election record cannot be read (%s)"},
	"err.e2e_ballot_json":            {"vi": "Phiếu bầu mã hóa không đọc được (%s)", "en": "The encrypted ballot cannot be read (%s)"},
	"err.e2e_ballot_shape":           {"vi": "Phiếu bầu mã hóa sai số lựa chọn (%s)", "en": "The encrypted ballot has the wrong number of options (%s)"},
	"err.e2e_proof_shape":            {"vi": "Bằng chứng sai kích thước (%s)", "en": "A proof has the wrong size (%s)"},
	"err.e2e_ballot_too_many":        {"vi": "Phiếu giữ lại nhiều hơn số người được bầu (%s)", "en": "The ballot keeps more names than seats (%s)"},
	"err.e2e_ballot_proof":           {"vi": "Bằng chứng của phiếu bầu không đúng: phiếu bị từ chối (%s)", "en": "The ballot's proofs are invalid: ballot refused (%s)"},
	"err.e2e_ballot_copy":            {"vi": "Phiếu này trùng một phiếu đã có trên bảng công khai (%s)", "en": "This ballot copies one already on the board (%s)"},
	"err.e2e_code":                   {"vi": "Mã theo dõi phiếu không hợp lệ (%s)", "en": "Invalid ballot tracking code (%s)"},
	"err.e2e_spoiled":                {"vi": "Phiếu kiểm tra (hủy) không mở đúng (%s)", "en": "The audited (spoiled) ballot does not open correctly (%s)"},
	"err.e2e_trustees":               {"vi": "Thông tin các thành viên giữ khóa không khớp (%s)", "en": "The trustees' published keys do not match (%s)"},
	"err.e2e_keygen":                 {"vi": "Bằng chứng tạo khóa không đúng (%s)", "en": "A key generation proof is invalid (%s)"},
	"err.e2e_shares":                 {"vi": "Chưa đủ phần giải mã hợp lệ (%s)", "en": "Not enough valid decryption shares (%s)"},
	"err.e2e_share_proof":            {"vi": "Bằng chứng giải mã của thành viên giữ khóa không đúng (%s)", "en": "A trustee's decryption proof is invalid (%s)"},
	"err.e2e_counts":                 {"vi": "Kết quả giải mã không phải số phiếu hợp lệ (%s)", "en": "The decrypted tally is not a valid count (%s)"},
}
