package gen

import (
	"math/rand/v2"
	"strings"
)

// region selects the naming customs of communes and hamlets.
type region uint8

const (
	north         region = iota // Red River delta: thôn, tổ dân phố, khu phố
	northMountain               // north-west and north-east uplands: bản, thôn
	centralCoast                // north-central and central coast: thôn, xóm
	highlands                   // Central Highlands: thôn, buôn, làng
	south                       // south-east and Mekong delta: ấp, khu phố
)

// province is one of the 34 provincial-level units after the merger of 1 July 2025.
type province struct {
	code     string
	name     string
	city     bool // centrally governed city ("thành phố")
	communes int  // communes and wards after the merger (approximate)
	wards    int  // of which wards (approximate)
	members  int  // party members, thousands (rough; used as a weight only)
	region   region
	real     []place // real commune and ward names, if listed
}

// place is a commune or ward name.
type place struct {
	name string
	ward bool
}

// provinces are the 34 provincial-level units, north to south. Counts are approximate.
var provinces = []province{
	{code: "HN", name: "Hà Nội", city: true, communes: 126, wards: 51, members: 480, region: north, real: hanoi},
	{code: "CB", name: "Cao Bằng", communes: 56, wards: 3, members: 42, region: northMountain},
	{code: "TQ", name: "Tuyên Quang", communes: 124, wards: 7, members: 103, region: northMountain},
	{code: "LCA", name: "Lào Cai", communes: 99, wards: 10, members: 95, region: northMountain},
	{code: "TN", name: "Thái Nguyên", communes: 92, wards: 15, members: 98, region: north},
	{code: "LS", name: "Lạng Sơn", communes: 65, wards: 4, members: 55, region: northMountain},
	{code: "QNI", name: "Quảng Ninh", communes: 54, wards: 30, members: 100, region: north},
	{code: "BN", name: "Bắc Ninh", communes: 99, wards: 33, members: 185, region: north, real: bacNinh},
	{code: "PT", name: "Phú Thọ", communes: 148, wards: 15, members: 215, region: north},
	{code: "HP", name: "Hải Phòng", city: true, communes: 114, wards: 45, members: 270, region: north},
	{code: "HY", name: "Hưng Yên", communes: 104, wards: 11, members: 170, region: north},
	{code: "NB", name: "Ninh Bình", communes: 129, wards: 32, members: 215, region: north},
	{code: "LCH", name: "Lai Châu", communes: 38, wards: 2, members: 25, region: northMountain},
	{code: "DB", name: "Điện Biên", communes: 45, wards: 3, members: 40, region: northMountain},
	{code: "SL", name: "Sơn La", communes: 75, wards: 8, members: 70, region: northMountain},
	{code: "TH", name: "Thanh Hóa", communes: 166, wards: 19, members: 230, region: centralCoast},
	{code: "NA", name: "Nghệ An", communes: 130, wards: 11, members: 210, region: centralCoast},
	{code: "HT", name: "Hà Tĩnh", communes: 69, wards: 9, members: 95, region: centralCoast},
	{code: "QT", name: "Quảng Trị", communes: 78, wards: 8, members: 93, region: centralCoast},
	{code: "HUE", name: "Huế", city: true, communes: 40, wards: 21, members: 50, region: centralCoast},
	{code: "DN", name: "Đà Nẵng", city: true, communes: 94, wards: 23, members: 120, region: centralCoast, real: daNang},
	{code: "QNG", name: "Quảng Ngãi", communes: 96, wards: 9, members: 80, region: centralCoast},
	{code: "GL", name: "Gia Lai", communes: 135, wards: 25, members: 120, region: highlands},
	{code: "KH", name: "Khánh Hòa", communes: 65, wards: 16, members: 67, region: centralCoast},
	{code: "DL", name: "Đắk Lắk", communes: 102, wards: 14, members: 95, region: highlands},
	{code: "LD", name: "Lâm Đồng", communes: 124, wards: 20, members: 110, region: highlands},
	{code: "DNA", name: "Đồng Nai", communes: 95, wards: 23, members: 115, region: south},
	{code: "TNI", name: "Tây Ninh", communes: 96, wards: 14, members: 100, region: south},
	{code: "HCM", name: "Hồ Chí Minh", city: true, communes: 168, wards: 113, members: 390, region: south, real: hoChiMinh},
	{code: "DT", name: "Đồng Tháp", communes: 102, wards: 20, members: 110, region: south},
	{code: "VL", name: "Vĩnh Long", communes: 124, wards: 19, members: 115, region: south},
	{code: "AG", name: "An Giang", communes: 102, wards: 14, members: 115, region: south},
	{code: "CT", name: "Cần Thơ", city: true, communes: 103, wards: 31, members: 120, region: south},
	{code: "CM", name: "Cà Mau", communes: 64, wards: 9, members: 60, region: south},
}

// unitName is the name of the province's party committee.
func (p *province) unitName() string { return "Đảng bộ " + p.adminName() }

// adminName is "tỉnh Nghệ An", "thành phố Hà Nội" or "Thành phố Hồ Chí Minh".
func (p *province) adminName() string {
	switch {
	case p.code == "HCM":
		return "Thành phố Hồ Chí Minh"
	case p.city:
		return "thành phố " + p.name
	}
	return "tỉnh " + p.name
}

func provinceByCode(code string) *province {
	for i := range provinces {
		if provinces[i].code == code {
			return &provinces[i]
		}
	}
	panic("gen: no province " + code)
}

// syllables builds two-syllable place names from two lists.
type syllables struct{ first, second []string }

func (s *syllables) name(r *rand.Rand) string {
	for {
		a, b := uniform(r, s.first), uniform(r, s.second)
		if a != b {
			return a + " " + b
		}
	}
}

func words(s string) []string { return strings.Fields(s) }

var (
	// Sino-Vietnamese commune names of the north and centre: "Tân Phú", "Yên Lạc".
	communeKinh = syllables{
		words("Tân An Phú Bình Hòa Xuân Thanh Vĩnh Long Mỹ Đông Tây Nam Bắc Trung Hưng Quang Minh Hồng Hải Sơn Kim Ngọc Yên Đại Thạch Cẩm Lộc Thuận Nghĩa Đức Thiện Hiệp Định Khánh Gia Lạc Tiên Cát Quảng Hương Văn"),
		words("Phú Bình Hòa Lợi Thành Hưng Thịnh Lộc Phong Sơn Hải Lâm Xuân An Điền Mỹ Trung Tiến Phát Thuận Ninh Long Khánh Đông Tây Hiệp Hội Đức Tân Quang Minh Yên Vinh Châu Giang Thủy Hà Dương Kiều Lạc"),
	}
	// Commune names of the southern plain: "Tân Thạnh", "Phước Long".
	communeSouth = syllables{
		words("Tân Phú An Bình Hòa Mỹ Long Vĩnh Thạnh Phước Xuân Hưng Thới Nhơn Đông Tây Hiệp Lợi Thuận Khánh Trường Định Bình Long"),
		words("Hòa Lợi Thạnh Phú Long Bình Thuận Hưng Mỹ Lộc Đông Tây Trung Quới Nhơn Thới Điền Hiệp Khánh An Phước Hội Xuân Tân Thành"),
	}
	// Commune and hamlet names of the northern uplands: "Mường Lay", "Nà Sang".
	upland = syllables{
		words("Mường Nậm Chiềng Pa Na Nà Sín Phìn Tà Mù Pá Huổi Khuổi Lũng Phiêng Pác Hua Co Pù"),
		words("Lay Pồ Nhè Chà Tè Sang Cang Mun Hồ Chải Tung Lùng Khoang Mòn Ban Hin Sại Luông Pục Lìn Hẹ Nọi Cọ Mạ Cái Làng Tạo"),
	}
	// Commune, village and hamlet names of the Central Highlands: "Ia Grai", "Ea Sup".
	highland = syllables{
		words("Ia Ea Đắk Krông Cư Kon Plei Dliê"),
		words("Grai Pa Lốp Hrú Kar Sup Mil Năng Búk Pơng Drăng Tơ Bông Rve Ktur Hdreh Nông Mơ Yang Kring Tul Sol Đăm Rông"),
	}
	// Village names of the north and centre: "Đông Xuyên", "Phù Lưu".
	villageKinh = syllables{
		words("Đông Tây Nam Bắc Thượng Hạ Trung Phú An Yên Tân Phúc Đại Cổ Vân Kim Ngọc Hòa Thanh Xuân Lạc Hương Đình Mai Lương Quế Lũng Bình Phù Đào Hữu Đồng Thọ Lai Văn Châu Nội Ngoại"),
		words("Xuyên Bảng Kỵ Lưu Mễ Hà Giang Xá Khê Sơn Lâm Thọ Lộc Mỹ Phong Hội Hưng Thịnh Trì Đoài Vĩ Lãm Trạch Chấp Đức Tảo Cầu Đình Lạc Mão Ổ Uyên Thổ Chân Long Trung Nghĩa Điềm Liễu Ninh"),
	}
	// Hamlet (ấp) names of the south: "Tân Lợi", "Rạch Sỏi".
	hamletSouth = syllables{
		words("Tân Phú An Bình Hòa Mỹ Long Vĩnh Thạnh Phước Xuân Hưng Thới Nhơn Rạch Kênh Cầu Bến Giồng Xóm Bà Cây"),
		words("Hòa Lợi Thạnh Phú Long Bình Thuận Hưng Mỹ Lộc Đông Tây Trung Quới Nhơn Thới Điền Hiệp Khánh An Sỏi Dừa Me Gòn Đình"),
	}
)

// communeName invents a plausible commune or ward name for a region.
func communeName(r *rand.Rand, reg region) string {
	switch reg {
	case northMountain:
		if r.IntN(2) == 0 {
			return upland.name(r)
		}
	case highlands:
		if r.IntN(5) < 2 {
			return highland.name(r)
		}
	case south:
		return communeSouth.name(r)
	}
	return communeKinh.name(r)
}

// communePlaces returns n distinct commune and ward names for p: a random subset of its real
// names in their official order, then invented names when the real ones run out.
func communePlaces(r *rand.Rand, p *province, n int) []place {
	if n <= 0 {
		return nil
	}
	out := make([]place, 0, n)
	used := make(map[string]bool, n)
	if len(p.real) > 0 {
		take := make([]bool, len(p.real))
		if n >= len(p.real) {
			for i := range take {
				take[i] = true
			}
		} else {
			for _, i := range r.Perm(len(p.real))[:n] {
				take[i] = true
			}
		}
		for i, pl := range p.real {
			if take[i] {
				out = append(out, pl)
				used[pl.name] = true
			}
		}
	}
	wardShare := float64(p.wards) / float64(p.communes)
	for len(out) < n {
		name := communeName(r, p.region)
		for try := 0; used[name]; try++ {
			switch {
			case try < 50:
				name = communeName(r, p.region)
			case try < 100:
				name = communeName(r, p.region) + " " + uniform(r, directions)
			default:
				name = communeName(r, p.region) + " " + num2(try)
			}
		}
		used[name] = true
		out = append(out, place{name: name, ward: r.Float64() < wardShare})
	}
	return out
}

var directions = []string{"Đông", "Tây", "Nam", "Bắc", "Thượng", "Hạ", "Trung"}

// hometowns lists, per province (same index as provinces), "xã …, tỉnh …" strings. They are
// built once from a fixed seed so NewPerson allocates nothing for them.
var hometowns = func() [][]string {
	r := rand.New(rand.NewPCG(0x6461697367656e, 1))
	out := make([][]string, len(provinces))
	for i := range provinces {
		p := &provinces[i]
		for _, pl := range communePlaces(r, p, 24) {
			kind := "xã "
			if pl.ward {
				kind = "phường "
			}
			out[i] = append(out[i], kind+pl.name+", "+p.adminName())
		}
	}
	return out
}()

// provinceWeights picks a province index weighted by membership.
var provinceWeights = func() *weighted {
	pairs := make([]wp, len(provinces))
	for i, p := range provinces {
		pairs[i] = wp{p.code, uint32(p.members)}
	}
	return newWeighted(pairs)
}()

func wardsAndCommunes(wards, communes string) []place {
	var out []place
	for _, n := range strings.Split(wards, ",") {
		out = append(out, place{name: strings.TrimSpace(n), ward: true})
	}
	for _, n := range strings.Split(communes, ",") {
		out = append(out, place{name: strings.TrimSpace(n)})
	}
	return out
}

// Real names after the 2025 reorganization (from memory of the published lists; close enough
// for a demo, not a reference).
var (
	bacNinh = wardsAndCommunes(
		"Kinh Bắc, Võ Cường, Vũ Ninh, Hạp Lĩnh, Nam Sơn, Từ Sơn, Tam Sơn, Đồng Nguyên, Phù Khê, Thuận Thành, Mão Điền, Trạm Lộ, Trí Quả, Song Liễu, Ninh Xá, Quế Võ, Phương Liễu, Nhân Hòa, Đào Viên, Bồng Lai, Chũ, Phượng Sơn, Bắc Giang, Đa Mai, Tiền Phong, Tân An, Yên Dũng, Tân Tiến, Cảnh Thụy, Việt Yên, Nếnh, Vân Hà, Tự Lạn",
		"Chi Lăng, Phù Lãng, Yên Phong, Văn Môn, Tam Giang, Yên Trung, Tam Đa, Tiên Du, Liên Bão, Tân Chi, Đại Đồng, Phật Tích, Gia Bình, Nhân Thắng, Đại Lai, Cao Đức, Đông Cứu, Lương Tài, Lâm Thao, Trung Chính, Trung Kênh, Đại Sơn, Sơn Động, Tây Yên Tử, Dương Hưu, Yên Định, An Lạc, Vân Sơn, Biển Động, Lục Ngạn, Đèo Gia, Sơn Hải, Tân Sơn, Biên Sơn, Sa Lý, Nam Dương, Kiên Lao, Lục Sơn, Trường Sơn, Cẩm Lý, Đông Phú, Nghĩa Phương, Lục Nam, Bắc Lũng, Bảo Đài, Lạng Giang, Mỹ Thái, Kép, Tân Dĩnh, Tiên Lục, Yên Thế, Bố Hạ, Đồng Kỳ, Xuân Lương, Tam Tiến, Tân Yên, Ngọc Thiện, Nhã Nam, Phúc Hòa, Quang Trung, Hợp Thịnh, Hiệp Hòa, Hoàng Vân, Xuân Cẩm, Đồng Việt, Phúc Sơn",
	)
	hanoi = wardsAndCommunes(
		"Hoàn Kiếm, Cửa Nam, Ba Đình, Ngọc Hà, Giảng Võ, Hai Bà Trưng, Vĩnh Tuy, Bạch Mai, Đống Đa, Kim Liên, Văn Miếu - Quốc Tử Giám, Láng, Ô Chợ Dừa, Hồng Hà, Lĩnh Nam, Hoàng Mai, Vĩnh Hưng, Tương Mai, Định Công, Hoàng Liệt, Yên Sở, Thanh Xuân, Khương Đình, Phương Liệt, Cầu Giấy, Nghĩa Đô, Yên Hòa, Tây Hồ, Phú Thượng, Tây Tựu, Phú Diễn, Xuân Đỉnh, Đông Ngạc, Thượng Cát, Từ Liêm, Xuân Phương, Tây Mỗ, Đại Mỗ, Long Biên, Bồ Đề, Việt Hưng, Phúc Lợi, Hà Đông, Dương Nội, Yên Nghĩa, Phú Lương, Kiến Hưng, Thanh Liệt, Chương Mỹ, Sơn Tây, Tùng Thiện",
		"Thanh Trì, Đại Thanh, Nam Phù, Ngọc Hồi, Thượng Phúc, Thường Tín, Chương Dương, Hồng Vân, Phú Xuyên, Phượng Dực, Chuyên Mỹ, Đại Xuyên, Thanh Oai, Bình Minh, Tam Hưng, Dân Hòa, Vân Đình, Ứng Thiên, Hòa Xá, Ứng Hòa, Mỹ Đức, Hồng Sơn, Phúc Sơn, Hương Sơn, Phú Nghĩa, Xuân Mai, Trần Phú, Hòa Phú, Quảng Bị, Minh Châu, Quảng Oai, Vật Lại, Cổ Đô, Bất Bạt, Suối Hai, Ba Vì, Yên Bài, Đoài Phương, Phúc Thọ, Phúc Lộc, Hát Môn, Thạch Thất, Hạ Bằng, Tây Phương, Hòa Lạc, Yên Xuân, Quốc Oai, Hưng Đạo, Kiều Phú, Phú Cát, Hoài Đức, Dương Hòa, Sơn Đồng, An Khánh, Đan Phượng, Ô Diên, Liên Minh, Gia Lâm, Thuận An, Bát Tràng, Phù Đổng, Thư Lâm, Đông Anh, Phúc Thịnh, Thiên Lộc, Vĩnh Thanh, Mê Linh, Yên Lãng, Tiến Thắng, Quang Minh, Sóc Sơn, Đa Phúc, Nội Bài, Trung Giã, Kim Anh",
	)
	hoChiMinh = wardsAndCommunes(
		"Sài Gòn, Tân Định, Bến Thành, Cầu Ông Lãnh, Bàn Cờ, Xuân Hòa, Nhiêu Lộc, Xóm Chiếu, Khánh Hội, Vĩnh Hội, Chợ Quán, An Đông, Chợ Lớn, Bình Tây, Bình Tiên, Bình Phú, Phú Lâm, Tân Thuận, Phú Thuận, Tân Mỹ, Tân Hưng, Chánh Hưng, Phú Định, Bình Đông, Diên Hồng, Vườn Lài, Hòa Hưng, Minh Phụng, Bình Thới, Hòa Bình, Phú Thọ, Đông Hưng Thuận, Trung Mỹ Tây, Tân Thới Hiệp, Thới An, An Phú Đông, An Lạc, Tân Tạo, Bình Tân, Bình Trị Đông, Bình Hưng Hòa, Gia Định, Bình Thạnh, Bình Lợi Trung, Thạnh Mỹ Tây, Bình Quới, Hạnh Thông, An Nhơn, Gò Vấp, An Hội Đông, Thông Tây Hội, An Hội Tây, Đức Nhuận, Cầu Kiệu, Phú Nhuận, Tân Sơn Hòa, Tân Sơn Nhất, Tân Hòa, Bảy Hiền, Tân Bình, Tân Sơn, Tây Thạnh, Tân Sơn Nhì, Phú Thọ Hòa, Tân Phú, Phú Thạnh, Hiệp Bình, Thủ Đức, Tam Bình, Linh Xuân, Tăng Nhơn Phú, Long Bình, Long Phước, Long Trường, Cát Lái, Bình Trưng, Phước Long, An Khánh, Thủ Dầu Một, Phú Lợi, Dĩ An, Thuận An, Vũng Tàu, Bà Rịa",
		"Cần Giờ, Bình Khánh, An Thới Đông, Thạnh An, Nhà Bè, Hiệp Phước, Bình Chánh, Tân Nhựt, Vĩnh Lộc, Hóc Môn, Bà Điểm, Xuân Thới Sơn, Củ Chi, Tân An Hội, Thái Mỹ, Phú Hòa Đông, Long Hải, Hồ Tràm",
	)
	daNang = wardsAndCommunes(
		"Hải Châu, Hòa Cường, Thanh Khê, An Khê, An Hải, Sơn Trà, Ngũ Hành Sơn, Hòa Khánh, Hải Vân, Liên Chiểu, Cẩm Lệ, Hòa Xuân, Tam Kỳ, Quảng Phú, Hương Trà, Bàn Thạch, Hội An, Hội An Đông, Hội An Tây, Điện Bàn, Điện Bàn Đông, An Thắng, Điện Bàn Bắc",
		"Hòa Vang, Hòa Tiến, Bà Nà, Núi Thành, Tam Xuân, Thăng Bình, Quế Sơn, Duy Xuyên, Đại Lộc, Thạnh Mỹ, Nam Giang, Tây Giang, Đông Giang, Phước Sơn, Trà My, Tiên Phước",
	)
)
