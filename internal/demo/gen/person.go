package gen

import (
	"math/rand/v2"
	"time"
)

// Person is one generated party member.
type Person struct {
	FullName      string    // NFC, e.g. "Nguyễn Thị Thu Hằng"
	Gender        string    // "male" or "female"
	BirthDate     time.Time // UTC midnight; ages 18–90 on asOf, most 30–65
	Ethnicity     string    // "Kinh" ~85%, then Tày, Thái, Mường, …
	Religion      string    // "Không" mostly
	Hometown      string    // "xã Tân Phú, tỉnh Nghệ An"
	CardNumber    string    // 8 digits; random here, unique only when taken from Cards
	AdmissionDate time.Time // on or after the 18th birthday, before asOf
	OfficialDate  time.Time // AdmissionDate + 1 year, or zero for probationary members
}

var (
	// asOf is the reference date of the demo data: every date is before it and ages are
	// counted on it.
	asOf = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	// probationStart: members admitted on or after it are still probationary on asOf.
	probationStart = asOf.AddDate(-1, 0, 0)
)

// probationPermille is the share of adults admitted within the last year; with the 18-year-olds
// who can only be probationary it gives about 3% probationary members.
const probationPermille = 26

// ageBands weights the member's age on asOf: most members are 30–65, with many retirees.
var ageBands = []struct {
	lo, hi int
	w      uint32
}{
	{18, 24, 3}, {25, 29, 8}, {30, 39, 22}, {40, 49, 22}, {50, 59, 18}, {60, 65, 9},
	{66, 75, 11}, {76, 90, 7},
}

var ageBandTable = func() *weighted {
	pairs := make([]wp, len(ageBands))
	for i, b := range ageBands {
		pairs[i] = wp{"", b.w}
	}
	return newWeighted(pairs)
}()

// NewPerson generates one party member; deterministic for a given r. About 25% are women.
func NewPerson(r *rand.Rand) Person {
	var p Person
	female := r.Uint32N(1000) < 250
	p.Gender = "male"
	if female {
		p.Gender = "female"
	}
	p.Ethnicity = ethnicities.pick(r)
	p.FullName = fullName(r, female, p.Ethnicity)
	p.Religion = religion(r, p.Ethnicity)
	p.Hometown = hometown(r)
	p.CardNumber = randomCard(r)

	band := ageBands[ageBandTable.index(r)]
	age := band.lo + r.IntN(band.hi-band.lo+1)
	// Born between 2 October of (asOf year - age - 1) and 30 September of (asOf year - age),
	// so the age on asOf is exactly age and the 18th birthday is strictly before asOf.
	p.BirthDate = time.Date(asOf.Year()-age-1, asOf.Month(), asOf.Day()+1+r.IntN(364), 0, 0, 0, 0, time.UTC)

	eighteen := days(time.Date(p.BirthDate.Year()+18, p.BirthDate.Month(), p.BirthDate.Day(), 0, 0, 0, 0, time.UTC))
	last, end := days(probationStart), days(asOf)
	switch {
	case eighteen >= last: // too young to have finished probation
		p.AdmissionDate = fromDays(eighteen + r.Int64N(end-eighteen))
	case r.Uint32N(1000) < probationPermille:
		p.AdmissionDate = fromDays(last + r.Int64N(end-last))
	default:
		// Most are admitted in their twenties; some much later.
		adm := eighteen + int64((r.ExpFloat64()*6+r.Float64()*4)*365.25)
		if adm >= last {
			adm = eighteen + r.Int64N(last-eighteen)
		}
		p.AdmissionDate = fromDays(adm)
		p.OfficialDate = p.AdmissionDate.AddDate(1, 0, 0)
	}
	return p
}

func days(t time.Time) int64     { return t.Unix() / 86400 }
func fromDays(d int64) time.Time { return time.Unix(d*86400, 0).UTC() }

// fullName builds "Surname Middle [Middle2] Given" in one allocation.
func fullName(r *rand.Rand, female bool, eth string) string {
	sur := surname(r, eth)
	if eth == "H'Mông" && r.Uint32N(10) < 7 {
		if female {
			return sur + " Thị " + uniform(r, hmongFemale)
		}
		return sur + " A " + uniform(r, hmongMale)
	}
	mid, given, mid2 := maleMiddle, maleGiven, maleMiddle2
	twoMiddle := uint32(3) // per cent of names with a second middle syllable
	if female {
		mid, given, mid2 = femaleMiddle, femaleGiven, femaleMiddle2
		twoMiddle = 0
	}
	m := mid.pick(r)
	g := given.pick(r)
	for i := 0; i < 4 && g == m; i++ {
		g = given.pick(r)
	}
	if female && m == "Thị" {
		twoMiddle = 18
	}
	if twoMiddle > 0 && r.Uint32N(100) < twoMiddle {
		if m2 := uniform(r, mid2); m2 != g && m2 != m {
			return sur + " " + m + " " + m2 + " " + g
		}
	}
	return sur + " " + m + " " + g
}

func surname(r *rand.Rand, eth string) string {
	if list, ok := ethnicSurnames[eth]; ok && r.Uint32N(10) < 7 {
		return uniform(r, list)
	}
	return surnames.pick(r)
}

func religion(r *rand.Rand, eth string) string {
	switch {
	case eth == "Khmer" && r.Uint32N(10) < 6:
		return "Phật giáo"
	case eth == "Hoa" && r.Uint32N(4) == 0:
		return "Phật giáo"
	}
	return religions.pick(r)
}

// randomCard returns 8 random digits (not unique; use Cards for unique numbers).
func randomCard(r *rand.Rand) string {
	v := r.Uint32N(cardSpace)
	var b [8]byte
	for i := 7; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b[:])
}

// hometown picks a province weighted by its membership, then one of its communes.
func hometown(r *rand.Rand) string {
	list := hometowns[provinceWeights.index(r)]
	return list[r.IntN(len(list))]
}
