package gen

import (
	"math/rand/v2"
	"slices"
	"strconv"
)

// Unit is one node of an organization tree.
type Unit struct {
	Code     string // stable code: "BN", "BN.TS01", "BN.TS01.CB03"; uppercase ASCII segments joined by dots
	Name     string // Vietnamese name, NFC: "Đảng bộ phường Từ Sơn", "Chi bộ thôn Đông Xuyên"
	Type     string // "central", "province", "commune", "grassroots" or "cell"
	Children []Unit
}

// Unit types.
const (
	typeCentral    = "central"
	typeProvince   = "province"
	typeCommune    = "commune"
	typeGrassroots = "grassroots"
	typeCell       = "cell"
)

func central(children []Unit) Unit {
	return Unit{Code: "TW", Name: "Đảng Cộng sản Việt Nam", Type: typeCentral, Children: children}
}

// Province returns TW → the party committee of Bắc Ninh province (Bắc Ninh and Bắc Giang, merged
// in 2025; code "BN") → communes commune and ward party committees → a few grassroots party
// organizations (schools, police, companies…) and cellsPerCommune±2 cells each. Real commune and
// ward names are used first, invented ones after. Deterministic for a given r.
func Province(r *rand.Rand, communes, cellsPerCommune int) Unit {
	p := provinceByCode("BN")
	places := communePlaces(r, p, communes)
	pu := Unit{Code: p.code, Name: p.unitName(), Type: typeProvince, Children: make([]Unit, len(places))}
	schools := make(map[string]bool)
	for i, pl := range places {
		n := cellsPerCommune - 2 + r.IntN(5)
		if n < 1 && cellsPerCommune > 0 {
			n = 1
		}
		n = max(n, 0)
		c := commune(p, pl, i+1)
		c.Children = grassroots(r, make([]Unit, 0, 4+n), c.Code, pl, schools)
		c.Children = appendCells(r, c.Children, c.Code, chooseCellStyle(r, p.region, pl.ward), n)
		pu.Children[i] = c
	}
	return central([]Unit{pu})
}

// NationalTree returns TW → the 34 provincial party committees → commune and ward party
// committees → cells, with about cells cells in all (exactly, when cells is at least the
// number of communes). With enough cells every province has its real number of communes;
// with fewer, communes are scaled down to about one per eight cells. Cells are spread across
// provinces by membership. Deterministic for a given r.
func NationalTree(r *rand.Rand, cells int) Unit {
	total := 0
	for _, p := range provinces {
		total += p.communes
	}
	target := min(max(cells/8, len(provinces)), total)
	nComm := make([]int, len(provinces))
	weights := make([]float64, len(provinces))
	sumComm := 0
	for i, p := range provinces {
		nComm[i] = max(1, int(float64(p.communes)*float64(target)/float64(total)+0.5))
		sumComm += nComm[i]
		weights[i] = float64(p.members)
	}
	extra := split(max(cells-sumComm, 0), weights)

	units := make([]Unit, len(provinces))
	for i := range provinces {
		p := &provinces[i]
		places := communePlaces(r, p, nComm[i])
		jitter := make([]float64, len(places))
		for j := range jitter {
			jitter[j] = 0.6 + 0.8*r.Float64()
		}
		per := split(extra[i], jitter)
		pu := Unit{Code: p.code, Name: p.unitName(), Type: typeProvince, Children: make([]Unit, len(places))}
		for j, pl := range places {
			c := commune(p, pl, j+1)
			c.Children = appendCells(r, make([]Unit, 0, 1+per[j]), c.Code, chooseCellStyle(r, p.region, pl.ward), 1+per[j])
			pu.Children[j] = c
		}
		units[i] = pu
	}
	return central(units)
}

func commune(p *province, pl place, n int) Unit {
	kind := "xã "
	if pl.ward {
		kind = "phường "
	}
	return Unit{Code: p.code + "." + initials(pl.name) + num2(n), Name: "Đảng bộ " + kind + pl.name, Type: typeCommune}
}

// cellStyle is how the cells of one commune are named: one kind of residential area
// ("thôn", "tổ dân phố", …), either named ("thôn Đông Xuyên") or numbered ("tổ dân phố số 5").
type cellStyle struct {
	kind  string
	names *syllables // nil: numbered
	so    bool       // numbered as "số N" rather than "N"
}

func chooseCellStyle(r *rand.Rand, reg region, ward bool) cellStyle {
	x := r.IntN(100)
	if ward {
		switch reg {
		case north:
			switch {
			case x < 45:
				return cellStyle{kind: "tổ dân phố", so: true}
			case x < 75:
				return cellStyle{kind: "khu phố", names: &villageKinh}
			}
			return cellStyle{kind: "khu dân cư", so: true}
		case south:
			if x < 70 {
				return cellStyle{kind: "khu phố"}
			}
			return cellStyle{kind: "khu phố", names: &hamletSouth}
		}
		if x < 70 {
			return cellStyle{kind: "tổ dân phố", so: true}
		}
		return cellStyle{kind: "khu phố"}
	}
	switch reg {
	case north:
		if x < 90 {
			return cellStyle{kind: "thôn", names: &villageKinh}
		}
		return cellStyle{kind: "khu dân cư", so: true}
	case northMountain:
		switch {
		case x < 55:
			return cellStyle{kind: "bản", names: &upland}
		case x < 85:
			return cellStyle{kind: "thôn", names: &villageKinh}
		}
		return cellStyle{kind: "thôn"}
	case centralCoast:
		switch {
		case x < 50:
			return cellStyle{kind: "thôn", names: &villageKinh}
		case x < 75:
			return cellStyle{kind: "xóm"}
		}
		return cellStyle{kind: "thôn"}
	case highlands:
		switch {
		case x < 40:
			return cellStyle{kind: "thôn"}
		case x < 75:
			return cellStyle{kind: "buôn", names: &highland}
		}
		return cellStyle{kind: "làng", names: &highland}
	}
	if x < 80 {
		return cellStyle{kind: "ấp", names: &hamletSouth}
	}
	return cellStyle{kind: "ấp"}
}

// appendCells appends n cells named in style st to dst; their codes are parent.CB01, CB02, ….
// Named styles fall back to numbers when names keep colliding.
func appendCells(r *rand.Rand, dst []Unit, parent string, st cellStyle, n int) []Unit {
	var used map[string]bool
	if st.names != nil {
		used = make(map[string]bool, n)
	}
	num := 0
	for j := 1; j <= n; j++ {
		area := ""
		if st.names != nil {
			for try := 0; try < 30; try++ {
				if a := st.kind + " " + st.names.name(r); !used[a] {
					area = a
					used[a] = true
					break
				}
			}
		}
		if area == "" {
			num++
			if st.so {
				area = st.kind + " số " + strconv.Itoa(num)
			} else {
				area = st.kind + " " + strconv.Itoa(num)
			}
		}
		dst = append(dst, Unit{Code: parent + ".CB" + num2(j), Name: "Chi bộ " + area, Type: typeCell})
	}
	return dst
}

var (
	schoolNamesakes = []string{
		"Lý Thái Tổ", "Hàn Thuyên", "Ngô Gia Tự", "Nguyễn Văn Cừ", "Lý Thường Kiệt",
		"Trần Hưng Đạo", "Lê Quý Đôn", "Nguyễn Du", "Hoàng Quốc Việt", "Nguyễn Đăng Đạo",
		"Thân Nhân Trung", "Giáp Hải", "Lê Văn Thịnh", "Nguyễn Trãi", "Chu Văn An",
		"Phan Bội Châu", "Ngô Sĩ Liên", "Thái Thuận", "Lương Thế Vinh", "Trần Nhân Tông",
	}
	companyForms      = []string{"Cổ phần", "TNHH", "TNHH MTV"}
	companyIndustries = []string{
		"Xây dựng", "Thương mại", "May", "Đầu tư và Phát triển", "Cơ khí", "Điện tử", "Dệt may",
		"Vận tải", "Gốm sứ", "Thực phẩm", "Môi trường", "Nông sản", "Vật liệu xây dựng", "Đồ gỗ",
	}
	companyBrands = []string{
		"Kinh Bắc", "Hồng Phát", "Thành Công", "Phú Thịnh", "Việt Hưng", "Tân Tiến", "Đông Á",
		"Bình Minh", "Hưng Thịnh", "Sao Mai", "Trường An", "Thiên Phú", "Hoàng Long", "An Phát",
	}
)

// grassroots returns 2–4 grassroots party organizations of a commune: schools, health station,
// police, military command, a cooperative (communes) or companies.
func grassroots(r *rand.Rand, dst []Unit, parent string, pl place, schools map[string]bool) []Unit {
	kind := "xã "
	if pl.ward {
		kind = "phường "
	}
	makers := []func() string{
		func() string {
			if r.IntN(5) < 2 {
				if s := uniform(r, schoolNamesakes); !schools[s] {
					schools[s] = true
					return "Đảng bộ Trường THPT " + s
				}
			}
			return "Đảng bộ Trường THPT " + pl.name
		},
		func() string { return "Chi bộ Trường THCS " + pl.name },
		func() string { return "Chi bộ Trường Tiểu học " + pl.name },
		func() string { return "Chi bộ Trạm Y tế " + kind + pl.name },
		func() string { return "Chi bộ Công an " + kind + pl.name },
		func() string { return "Chi bộ Quân sự " + kind + pl.name },
		func() string {
			return "Chi bộ Công ty " + uniform(r, companyForms) + " " + uniform(r, companyIndustries) + " " + uniform(r, companyBrands)
		},
	}
	if pl.ward {
		makers = append(makers, func() string {
			return "Đảng bộ Công ty " + uniform(r, companyForms) + " " + uniform(r, companyIndustries) + " " + uniform(r, companyBrands)
		})
	} else {
		makers = append(makers, func() string { return "Chi bộ Hợp tác xã Nông nghiệp " + pl.name })
	}
	k := 2 + r.IntN(3)
	pick := r.Perm(len(makers))[:k]
	slices.Sort(pick)
	seen := make(map[string]bool, k)
	for i, m := range pick {
		name := makers[m]()
		if seen[name] { // two companies drew the same name
			continue
		}
		seen[name] = true
		dst = append(dst, Unit{Code: parent + ".CS" + num2(i+1), Name: name, Type: typeGrassroots})
	}
	return dst
}
