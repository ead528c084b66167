package gen

// Name data. Weights are relative (roughly per mille). Spellings are the modern NFC forms used
// in official documents ("Hòa", "Thủy", "Thùy", "Khoa").

// surnames of the Kinh majority (and of most members of other groups). Nguyễn is weighted a
// little above its 38% population share because minority members often carry other surnames.
var surnames = newWeighted([]wp{
	{"Nguyễn", 400}, {"Trần", 110}, {"Lê", 95}, {"Phạm", 70}, {"Hoàng", 51}, {"Phan", 45},
	{"Vũ", 39}, {"Đặng", 21}, {"Huỳnh", 20}, {"Võ", 20}, {"Bùi", 20}, {"Đỗ", 14}, {"Hồ", 13},
	{"Ngô", 13}, {"Dương", 10}, {"Lý", 5},
	{"Đào", 7}, {"Đoàn", 6}, {"Trịnh", 5}, {"Trương", 5}, {"Đinh", 5}, {"Hà", 4}, {"Lương", 3},
	{"Lâm", 3}, {"Mai", 3}, {"Cao", 3}, {"Lưu", 3}, {"Phùng", 2}, {"Chu", 2}, {"Tạ", 2},
	{"Vương", 2}, {"Hứa", 2}, {"Kiều", 2}, {"Giáp", 2}, {"Thân", 2}, {"Tô", 2}, {"Triệu", 2},
	{"Nông", 2}, {"Lò", 1}, {"Quàng", 1}, {"Khuất", 1}, {"Nghiêm", 1}, {"Lại", 1}, {"Doãn", 1},
	{"Mạc", 1}, {"Quách", 1}, {"Ninh", 1}, {"Tăng", 1}, {"La", 1},
})

// ethnicSurnames are used for most members of these groups instead of surnames.
var ethnicSurnames = map[string][]string{
	"Thái":   {"Lò", "Quàng", "Cầm", "Lường", "Vì", "Hà", "Lù", "Tòng", "Vi"},
	"H'Mông": {"Giàng", "Sùng", "Vàng", "Thào", "Mùa", "Lý", "Hờ", "Hạng", "Lầu", "Vừ"},
	"Tày":    {"Hoàng", "Nông", "Lương", "Hà", "Ma", "Triệu", "Hứa", "Bế", "Đàm", "Lục"},
	"Nùng":   {"Hoàng", "Nông", "Lăng", "Vi", "Lương", "Hứa", "Chu", "Mã", "Lục"},
	"Mường":  {"Bùi", "Đinh", "Quách", "Hà", "Xa", "Bạch"},
	"Khmer":  {"Thạch", "Sơn", "Danh", "Kim", "Lâm", "Châu", "Lý"},
	"Dao":    {"Triệu", "Bàn", "Đặng", "Lý", "Chảo", "Phùng", "Tẩn"},
	"Hoa":    {"Trương", "Lâm", "Lý", "Quách", "Hứa", "Mã", "Tăng", "Diệp", "Lưu"},
}

// Traditional H'Mông given names ("Giàng A Páo", "Sùng Thị Mai").
var (
	hmongMale   = []string{"Páo", "Chứ", "Dính", "Sính", "Súa", "Pó", "Chá", "Tủa", "Lử", "Sử", "Giàng", "Khua"}
	hmongFemale = []string{"Mai", "Dua", "Chía", "Sua", "Pàng", "Mỷ", "Sủa", "Dợ", "Máy", "Súa"}
)

var maleMiddle = newWeighted([]wp{
	{"Văn", 350}, {"Đức", 80}, {"Minh", 80}, {"Hữu", 60}, {"Quang", 60}, {"Đình", 60},
	{"Công", 50}, {"Xuân", 50}, {"Thanh", 50}, {"Ngọc", 40}, {"Quốc", 40}, {"Thế", 40},
	{"Mạnh", 30}, {"Tiến", 30}, {"Trọng", 30}, {"Anh", 30}, {"Hoàng", 30}, {"Bá", 30},
	{"Duy", 30}, {"Việt", 30}, {"Tuấn", 20}, {"Trung", 20}, {"Khắc", 20}, {"Viết", 20},
	{"Đăng", 20}, {"Huy", 20}, {"Gia", 20}, {"Hải", 20}, {"Hồng", 20}, {"Chí", 20},
	{"Thành", 20}, {"Kim", 10}, {"Phú", 10}, {"Nhật", 10}, {"Sỹ", 10}, {"Vĩnh", 10},
})

var femaleMiddle = newWeighted([]wp{
	{"Thị", 500}, {"Ngọc", 60}, {"Thu", 50}, {"Thanh", 50}, {"Kim", 40}, {"Hồng", 40},
	{"Minh", 30}, {"Phương", 30}, {"Thùy", 20}, {"Mai", 20}, {"Hải", 20}, {"Bích", 20},
	{"Khánh", 20}, {"Thúy", 20}, {"Mỹ", 20}, {"Xuân", 20}, {"Lan", 10}, {"Diệu", 10},
	{"Quỳnh", 10}, {"Hoài", 10}, {"Tuyết", 10}, {"Bảo", 10}, {"Như", 10}, {"Cẩm", 10},
	{"Hà", 10}, {"Vân", 10},
})

// Second middle syllables: "Nguyễn Thị Thu Hằng", rarer "Trần Văn Minh Tuấn".
var (
	femaleMiddle2 = []string{"Thu", "Ngọc", "Thanh", "Kim", "Hồng", "Minh", "Phương", "Thúy", "Bích", "Mai", "Hải", "Thùy", "Lan", "Diệu"}
	maleMiddle2   = []string{"Minh", "Anh", "Đức", "Quang", "Thanh", "Hoàng", "Ngọc", "Hữu", "Xuân"}
)

var maleGiven = newWeighted([]wp{
	{"Tuấn", 35}, {"Hùng", 30}, {"Dũng", 30}, {"Minh", 30}, {"Long", 25}, {"Nam", 25},
	{"Hải", 25}, {"Sơn", 25}, {"Thành", 25}, {"Anh", 25}, {"Thắng", 20}, {"Cường", 20},
	{"Đức", 20}, {"Trung", 20}, {"Bình", 20}, {"Huy", 20}, {"Quang", 15}, {"Tùng", 15},
	{"Hưng", 15}, {"Quân", 15}, {"Hòa", 12}, {"Hoàng", 12}, {"Phong", 12}, {"Tiến", 12},
	{"Toàn", 12}, {"Hiếu", 12}, {"Vinh", 12}, {"Đạt", 12}, {"Việt", 10}, {"Thịnh", 10},
	{"Tâm", 10}, {"Lâm", 10}, {"Kiên", 10}, {"Khánh", 10}, {"Phúc", 10}, {"Nghĩa", 10},
	{"Thanh", 10}, {"Khoa", 8}, {"Lợi", 8}, {"Tài", 8}, {"Thuận", 8}, {"Chiến", 8}, {"Tú", 8},
	{"Duy", 8}, {"Lộc", 8}, {"Mạnh", 8}, {"Vũ", 8}, {"Hậu", 6}, {"Hiệp", 6}, {"Công", 6},
	{"Quý", 6}, {"Trọng", 6}, {"Nhân", 6}, {"Tân", 6}, {"Bảo", 5}, {"Định", 5}, {"Giang", 5},
	{"Phương", 5}, {"Sang", 5}, {"Tín", 4}, {"Hào", 4}, {"Khải", 4}, {"Luân", 3}, {"Ngọc", 3},
	{"Hạnh", 2}, {"Thủy", 1},
})

var femaleGiven = newWeighted([]wp{
	{"Hằng", 30}, {"Hương", 30}, {"Lan", 25}, {"Linh", 25}, {"Trang", 25}, {"Mai", 20},
	{"Hoa", 20}, {"Thủy", 20}, {"Huyền", 20}, {"Hà", 20}, {"Thảo", 20}, {"Nga", 18},
	{"Phương", 18}, {"Anh", 18}, {"Yến", 15}, {"Hạnh", 15}, {"Hiền", 15}, {"Dung", 15},
	{"Ngọc", 12}, {"Loan", 12}, {"Nhung", 12}, {"Vân", 12}, {"Thúy", 12}, {"Hòa", 10},
	{"Oanh", 10}, {"Thanh", 10}, {"Thu", 10}, {"Liên", 10}, {"Giang", 10}, {"Hồng", 10},
	{"Quỳnh", 10}, {"Tuyết", 8}, {"Chi", 8}, {"Nguyệt", 8}, {"Phượng", 8}, {"Duyên", 8},
	{"Thùy", 6}, {"Quyên", 6}, {"Hậu", 6}, {"Minh", 6}, {"My", 6}, {"Nhàn", 6}, {"Tâm", 6},
	{"Trinh", 6}, {"Xuân", 6}, {"Ly", 6}, {"Ánh", 6}, {"Huệ", 6}, {"Lý", 5}, {"Uyên", 5},
	{"Vy", 5}, {"Lệ", 5}, {"Bích", 5}, {"Thắm", 5}, {"Hải", 4}, {"Thơ", 4}, {"Hoài", 4},
	{"Diệp", 3}, {"Lụa", 3}, {"Mến", 3},
})

var ethnicities = newWeighted([]wp{
	{"Kinh", 850}, {"Tày", 25}, {"Thái", 22}, {"Mường", 18}, {"Nùng", 14}, {"Khmer", 12},
	{"H'Mông", 12}, {"Dao", 8}, {"Hoa", 5}, {"Gia Rai", 5}, {"Ê Đê", 4}, {"Ba Na", 3},
	{"Sán Chay", 3}, {"Sán Dìu", 3}, {"Chăm", 2}, {"Cơ Ho", 2}, {"Xơ Đăng", 2}, {"Hrê", 2},
	{"Giáy", 1}, {"Mnông", 1}, {"Thổ", 1}, {"Khơ Mú", 1}, {"Raglai", 1}, {"Cơ Tu", 1},
	{"Bru - Vân Kiều", 1},
})

var religions = newWeighted([]wp{
	{"Không", 920}, {"Phật giáo", 50}, {"Công giáo", 22}, {"Cao Đài", 4}, {"Tin Lành", 2},
	{"Phật giáo Hòa Hảo", 2},
})
