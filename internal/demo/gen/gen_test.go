package gen

import (
	"math/rand/v2"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x5eed)) }

func TestDeterminism(t *testing.T) {
	tests := []struct {
		name string
		gen  func(seed uint64) any
	}{
		{"NewPerson", func(seed uint64) any {
			r := newRand(seed)
			ps := make([]Person, 500)
			for i := range ps {
				ps[i] = NewPerson(r)
			}
			return ps
		}},
		{"Province", func(seed uint64) any { return Province(newRand(seed), 30, 6) }},
		{"NationalTree", func(seed uint64) any { return NationalTree(newRand(seed), 5000) }},
		{"Cards", func(seed uint64) any {
			c := NewCards(seed)
			out := make([]string, 1000)
			for i := range out {
				out[i] = c.Next()
			}
			return out
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b, c := tt.gen(1), tt.gen(1), tt.gen(2)
			if !reflect.DeepEqual(a, b) {
				t.Error("same seed gave different output")
			}
			if reflect.DeepEqual(a, c) {
				t.Error("different seeds gave the same output")
			}
		})
	}
}

var codeRE = regexp.MustCompile(`^[A-Z]{2,3}(\.[A-Z]+[0-9]*)*$`)

// checkTree checks the invariants shared by Province and NationalTree and returns the units
// by type.
func checkTree(t *testing.T, root Unit) map[string][]Unit {
	t.Helper()
	wantType := []string{"central", "province", "commune", "cell"}
	byType := make(map[string][]Unit)
	codes := make(map[string]bool)
	var walk func(u Unit, parent string, depth int)
	walk = func(u Unit, parent string, depth int) {
		byType[u.Type] = append(byType[u.Type], u)
		if depth >= len(wantType) {
			t.Fatalf("%s: depth %d, want at most %d", u.Code, depth, len(wantType)-1)
		}
		if u.Type != wantType[depth] && !(depth == 3 && u.Type == "grassroots") {
			t.Errorf("%s: type %q at depth %d, want %q", u.Code, u.Type, depth, wantType[depth])
		}
		if codes[u.Code] {
			t.Errorf("duplicate code %s", u.Code)
		}
		codes[u.Code] = true
		if depth > 0 && !codeRE.MatchString(u.Code) {
			t.Errorf("bad code %q", u.Code)
		}
		if depth > 1 && !strings.HasPrefix(u.Code, parent+".") {
			t.Errorf("code %s is not under its parent %s", u.Code, parent)
		}
		if u.Name == "" {
			t.Errorf("%s: empty name", u.Code)
		}
		if depth == 2 && !strings.HasPrefix(u.Name, "Đảng bộ xã ") && !strings.HasPrefix(u.Name, "Đảng bộ phường ") {
			t.Errorf("%s: commune name %q", u.Code, u.Name)
		}
		if u.Type == "cell" && !strings.HasPrefix(u.Name, "Chi bộ ") {
			t.Errorf("%s: cell name %q", u.Code, u.Name)
		}
		names := make(map[string]bool)
		for _, c := range u.Children {
			if depth >= 1 && names[c.Name] {
				t.Errorf("%s: two children named %q", u.Code, c.Name)
			}
			names[c.Name] = true
			walk(c, u.Code, depth+1)
		}
	}
	if root.Code != "TW" || root.Name != "Đảng Cộng sản Việt Nam" {
		t.Errorf("root = %s %q", root.Code, root.Name)
	}
	walk(root, "", 0)
	return byType
}

func TestProvince(t *testing.T) {
	tests := []struct{ communes, cells int }{
		{0, 5}, {1, 1}, {5, 2}, {10, 5}, {99, 8}, {150, 12},
	}
	for _, tt := range tests {
		root := Province(newRand(uint64(tt.communes*100+tt.cells)), tt.communes, tt.cells)
		byType := checkTree(t, root)
		if len(root.Children) != 1 || root.Children[0].Code != "BN" || root.Children[0].Name != "Đảng bộ tỉnh Bắc Ninh" {
			t.Fatalf("Province(%d, %d): want the single province BN, got %+v", tt.communes, tt.cells, root.Children)
		}
		if got := len(byType["commune"]); got != tt.communes {
			t.Errorf("Province(%d, %d): %d communes", tt.communes, tt.cells, got)
		}
		lo, hi := max(tt.cells-2, 1), tt.cells+2
		for _, c := range byType["commune"] {
			var cells, grass int
			for _, u := range c.Children {
				switch u.Type {
				case "cell":
					cells++
				case "grassroots":
					grass++
				}
			}
			if cells < lo || cells > hi {
				t.Errorf("%s: %d cells, want %d–%d", c.Code, cells, lo, hi)
			}
			if grass < 1 || grass > 4 {
				t.Errorf("%s: %d grassroots organizations, want 1–4", c.Code, grass)
			}
		}
	}
}

func TestNationalTree(t *testing.T) {
	for _, cells := range []int{500, 20_000, 190_000} {
		root := NationalTree(newRand(uint64(cells)), cells)
		byType := checkTree(t, root)
		if n := len(root.Children); n != 34 {
			t.Errorf("NationalTree(%d): %d provinces, want 34", cells, n)
		}
		names := make(map[string]bool)
		for _, p := range root.Children {
			names[p.Name] = true
			if !regexp.MustCompile(`^[A-Z]{2,3}$`).MatchString(p.Code) {
				t.Errorf("province code %q", p.Code)
			}
			if len(p.Children) == 0 {
				t.Errorf("%s has no communes", p.Code)
			}
		}
		for _, want := range []string{"Đảng bộ thành phố Hà Nội", "Đảng bộ tỉnh Nghệ An", "Đảng bộ tỉnh Bắc Ninh", "Đảng bộ Thành phố Hồ Chí Minh"} {
			if !names[want] {
				t.Errorf("NationalTree(%d): no %q", cells, want)
			}
		}
		got := len(byType["cell"])
		if diff := float64(got-cells) / float64(cells); diff < -0.1 || diff > 0.1 {
			t.Errorf("NationalTree(%d): %d cells", cells, got)
		}
		if cells >= 100_000 && len(byType["commune"]) < 3000 {
			t.Errorf("NationalTree(%d): %d communes, want the real ~3,300", cells, len(byType["commune"]))
		}
	}
}

func TestCards(t *testing.T) {
	const n = 1_000_000
	c := NewCards(42)
	seen := make([]uint64, cardSpace/64+1)
	leadingZero := 0
	for i := 0; i < n; i++ {
		s := c.Next()
		if len(s) != 8 {
			t.Fatalf("card %q: not 8 characters", s)
		}
		v := 0
		for _, ch := range []byte(s) {
			if ch < '0' || ch > '9' {
				t.Fatalf("card %q: not digits", s)
			}
			v = v*10 + int(ch-'0')
		}
		if seen[v/64]&(1<<(v%64)) != 0 {
			t.Fatalf("card %s handed out twice (call %d)", s, i)
		}
		seen[v/64] |= 1 << (v % 64)
		if s[0] == '0' {
			leadingZero++
		}
	}
	if leadingZero < n/20 || leadingZero > n/5 {
		t.Errorf("%d of %d cards start with 0, want about 10%%", leadingZero, n)
	}
}

func TestPersons(t *testing.T) {
	const n = 100_000
	r := newRand(7)
	var female, nguyen, core, probation, kinh, none int
	for i := 0; i < n; i++ {
		p := NewPerson(r)
		for _, d := range []time.Time{p.BirthDate, p.AdmissionDate, p.OfficialDate} {
			if d.Location() != time.UTC || d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 {
				t.Fatalf("%+v: date %v is not UTC midnight", p, d)
			}
		}
		age := asOf.Year() - p.BirthDate.Year()
		if asOf.Before(p.BirthDate.AddDate(age, 0, 0)) {
			age--
		}
		if age < 18 || age > 90 {
			t.Fatalf("%+v: age %d", p, age)
		}
		if age >= 30 && age <= 65 {
			core++
		}
		if p.AdmissionDate.Before(p.BirthDate.AddDate(18, 0, 0)) || !p.AdmissionDate.Before(asOf) {
			t.Fatalf("%+v: admission out of range", p)
		}
		switch {
		case p.OfficialDate.IsZero():
			probation++
			if p.AdmissionDate.Before(probationStart) {
				t.Fatalf("%+v: probationary for more than a year", p)
			}
		case !p.OfficialDate.Equal(p.AdmissionDate.AddDate(1, 0, 0)):
			t.Fatalf("%+v: official date is not admission + 1 year", p)
		case p.OfficialDate.After(asOf):
			t.Fatalf("%+v: official after %v", p, asOf)
		}
		switch p.Gender {
		case "female":
			female++
		case "male":
		default:
			t.Fatalf("gender %q", p.Gender)
		}
		if w := len(strings.Fields(p.FullName)); w < 3 || w > 4 {
			t.Fatalf("name %q: %d words", p.FullName, w)
		}
		if strings.HasPrefix(p.FullName, "Nguyễn ") {
			nguyen++
		}
		if p.Ethnicity == "Kinh" {
			kinh++
		}
		if p.Religion == "Không" {
			none++
		}
		if !strings.HasPrefix(p.Hometown, "xã ") && !strings.HasPrefix(p.Hometown, "phường ") || !strings.Contains(p.Hometown, ", ") {
			t.Fatalf("hometown %q", p.Hometown)
		}
		if len(p.CardNumber) != 8 || strings.Trim(p.CardNumber, "0123456789") != "" {
			t.Fatalf("card %q", p.CardNumber)
		}
	}
	shares := []struct {
		name   string
		count  int
		lo, hi float64
	}{
		{"female", female, 0.22, 0.28},
		{"Nguyễn", nguyen, 0.32, 0.42},
		{"aged 30–65", core, 0.55, 0.85},
		{"probationary", probation, 0.015, 0.05},
		{"Kinh", kinh, 0.80, 0.90},
		{"no religion", none, 0.80, 0.95},
	}
	for _, s := range shares {
		f := float64(s.count) / n
		t.Logf("%s: %.3f", s.name, f)
		if f < s.lo || f > s.hi {
			t.Errorf("%s: %.3f of people, want %.2f–%.2f", s.name, f, s.lo, s.hi)
		}
	}
}

func TestNFC(t *testing.T) {
	var data []string
	for _, w := range []*weighted{surnames, maleMiddle, femaleMiddle, maleGiven, femaleGiven, ethnicities, religions} {
		data = append(data, w.items...)
	}
	for _, l := range ethnicSurnames {
		data = append(data, l...)
	}
	for _, l := range hometowns {
		data = append(data, l...)
	}
	for _, l := range [][]string{hmongMale, hmongFemale, femaleMiddle2, maleMiddle2, schoolNamesakes, companyIndustries, companyBrands, directions} {
		data = append(data, l...)
	}
	for _, s := range []syllables{communeKinh, communeSouth, upland, highland, villageKinh, hamletSouth} {
		data = append(data, s.first...)
		data = append(data, s.second...)
	}
	for _, p := range provinces {
		data = append(data, p.name)
		for _, pl := range p.real {
			data = append(data, pl.name)
		}
	}

	var persons []string
	r := newRand(3)
	for i := 0; i < 20_000; i++ {
		p := NewPerson(r)
		persons = append(persons, p.FullName, p.Ethnicity, p.Religion, p.Hometown)
	}
	var units []string
	var walk func(u Unit)
	walk = func(u Unit) {
		units = append(units, u.Name)
		for _, c := range u.Children {
			walk(c)
		}
	}
	walk(Province(newRand(4), 120, 8))
	walk(NationalTree(newRand(5), 30_000))

	for _, tt := range []struct {
		name    string
		strings []string
	}{{"data", data}, {"persons", persons}, {"units", units}} {
		t.Run(tt.name, func(t *testing.T) {
			for _, s := range tt.strings {
				if !norm.NFC.IsNormalString(s) {
					t.Errorf("%q is not NFC", s)
				}
				for _, c := range s {
					if c >= 0x300 && c <= 0x36f {
						t.Errorf("%q has combining mark %U", s, c)
						break
					}
				}
				if strings.TrimSpace(s) != s || strings.Contains(s, "  ") || s == "" {
					t.Errorf("%q: bad spacing", s)
				}
			}
		})
	}
}

func TestUniqueRealNames(t *testing.T) {
	for _, p := range provinces {
		seen := make(map[string]bool)
		for _, pl := range p.real {
			if seen[pl.name] {
				t.Errorf("%s: %q listed twice", p.code, pl.name)
			}
			seen[pl.name] = true
			if pl.name == "" || !unicode.IsUpper([]rune(pl.name)[0]) {
				t.Errorf("%s: bad name %q", p.code, pl.name)
			}
		}
		if len(p.real) > p.communes {
			t.Errorf("%s: %d real names for %d communes", p.code, len(p.real), p.communes)
		}
	}
}

func TestInitials(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Từ Sơn", "TS"},
		{"Đông Anh", "DA"},
		{"Văn Miếu - Quốc Tử Giám", "VMQTG"},
		{"Ia Grai", "IG"},
		{"Ứng Hòa", "UH"},
		{"Ô Chợ Dừa", "OCD"},
		{"Ea Sup", "ES"},
		{"Kép", "K"},
	}
	for _, tt := range tests {
		if got := initials(tt.in); got != tt.want {
			t.Errorf("initials(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		total   int
		weights []float64
	}{
		{10, []float64{1, 1, 1}},
		{0, []float64{1, 2}},
		{1000, []float64{0.6, 1.4, 0.9, 1.1, 0.7}},
		{3, []float64{5, 5, 5, 5, 5, 5}},
	}
	for _, tt := range tests {
		got := split(tt.total, tt.weights)
		sum := 0
		for _, v := range got {
			if v < 0 {
				t.Errorf("split(%d, %v) = %v: negative part", tt.total, tt.weights, got)
			}
			sum += v
		}
		if sum != tt.total {
			t.Errorf("split(%d, %v) = %v: sums to %d", tt.total, tt.weights, got, sum)
		}
	}
}

func BenchmarkNewPerson(b *testing.B) {
	r := newRand(1)
	b.ReportAllocs()
	for b.Loop() {
		_ = NewPerson(r)
	}
}

func BenchmarkNationalTree(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = NationalTree(newRand(1), 190_000)
	}
}
