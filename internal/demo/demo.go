// Package demo seeds a store with realistic Vietnamese demo data: the party organization
// of one province with its communes, wards and cells, members with real-looking names,
// and one account per role, so a new user sees Dais working within a minute.
package demo

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"dais/internal/account"
	"dais/internal/demo/gen"
	"dais/internal/member"
	"dais/internal/org"
	"dais/internal/store"
)

// Options size the demo.
type Options struct {
	Seed     uint64
	Members  int // members spread over the cells and grassroots organizations
	Communes int
	Cells    int // cells per commune (± 2)
	// National generates all 34 provinces, as more than 200,000 members always do.
	National bool
}

const (
	// nationalThreshold: above this many members the demo generates all 34 provinces.
	nationalThreshold = 200_000
	// chunk is how many members one seeding transaction writes.
	chunk = 50_000
)

// Password is every demo account's password (printed by `dais demo`).
const Password = "dais-demo-2026"

// Login is one demo account.
type Login struct {
	Username   string
	Name       string
	Role       string
	UnitCode   string
	UnitName   string
	TOTPSecret string // empty when the account has no second factor
}

// Result is what seeding created.
type Result struct {
	Units   int
	Members int
	Logins  []Login
}

// Seeded reports whether the store already holds an organization (then demo only serves).
func Seeded(ctx context.Context, db *store.DB) (bool, error) {
	var n int
	if err := db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM units`).Scan(&n); err != nil {
		return false, fmt.Errorf("check demo data: %w", err)
	}
	return n > 0, nil
}

// Seed fills an empty store. The same seed gives the same tree, people and secrets.
func Seed(ctx context.Context, db *store.DB, opts Options, progress io.Writer) (Result, error) {
	if opts.Members <= 0 {
		opts.Members = 3000
	}
	if opts.Communes <= 0 {
		opts.Communes = 12
	}
	if opts.Cells <= 0 {
		opts.Cells = 8
	}
	ctx = store.WithActor(ctx, "demo")
	r := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0xda15))
	// A province for an ordinary demo; the whole country when the member count asks for it.
	tree := gen.Province(r, opts.Communes, opts.Cells)
	national := opts.National || opts.Members > nationalThreshold
	if national {
		tree = gen.NationalTree(r, max(opts.Members/25, 1600)) // 1,600 cells: four communes in Bắc Ninh at least
	}
	var res Result
	units := map[string]org.Unit{}
	var leaves []org.Unit // where members live: cells and grassroots organizations
	var communes []org.Unit
	start := time.Now()
	err := db.Write(ctx, func(tx *store.Tx) error {
		res = Result{}
		clear(units)
		leaves, communes = leaves[:0], communes[:0]
		// The tree in bulk, as an organization's first setup would load it: one audit
		// entry per thousand units (227,000 units one by one take most of an hour on
		// PostgreSQL).
		bulk := org.NewBulk(tx)
		var walk func(u gen.Unit, parent *org.Unit) error
		walk = func(g gen.Unit, parent *org.Unit) error {
			u, err := bulk.Add(ctx, org.NewUnit{Code: g.Code, Name: g.Name, Type: g.Type}, parent)
			if err != nil {
				return err
			}
			units[u.Code] = u
			res.Units++
			switch u.Type {
			case org.TypeCell, org.TypeGrassroots:
				leaves = append(leaves, u)
			case org.TypeCommune:
				communes = append(communes, u)
			}
			for _, c := range g.Children {
				if err := walk(c, &u); err != nil {
					return err
				}
			}
			return nil
		}
		if err := walk(tree, nil); err != nil {
			return err
		}
		return bulk.Finish(ctx)
	})
	if err != nil {
		return res, fmt.Errorf("seed organization: %w", err)
	}
	// Members go through the importer, as a real import: a version per member, one audit
	// entry per thousand. An ordinary demo writes one transaction per chunk; the national
	// dataset writes one transaction that builds the member indexes once at the end
	// (Importer.DeferIndexes): updating them row by row makes SQLite keep a statement
	// journal of every random index page a multi-row INSERT touches, many times slower.
	cards := gen.NewCards(opts.Seed)
	put := func(ctx context.Context, im *member.Importer, n int) error {
		recs := make([]member.Record, 0, n)
		for range n {
			p := gen.NewPerson(r)
			rec := member.Record{UnitCode: leaves[r.IntN(len(leaves))].Code, FullName: p.FullName, Gender: p.Gender,
				BirthDate: p.BirthDate.Format(time.DateOnly), CardNumber: cards.Next(), Ethnicity: p.Ethnicity,
				Religion: p.Religion, Hometown: p.Hometown, AdmissionDate: p.AdmissionDate.Format(time.DateOnly)}
			if !p.OfficialDate.IsZero() {
				rec.OfficialDate = p.OfficialDate.Format(time.DateOnly)
			}
			enrich(r, &rec, p)
			rec.Normalize()
			recs = append(recs, rec)
		}
		_, err := im.PutBatch(ctx, recs)
		return err
	}
	report := func(done int) {
		res.Members = done
		if progress != nil && opts.Members > chunk {
			fmt.Fprintf(progress, "demo: %d/%d members (%s)\n", done, opts.Members, time.Since(start).Round(time.Second))
		}
	}
	if national {
		err := db.Write(ctx, func(tx *store.Tx) error {
			im, err := member.NewImporter(ctx, tx, nil, "dữ liệu mẫu")
			if err != nil {
				return err
			}
			if err := im.DeferIndexes(ctx); err != nil {
				return err
			}
			for done := 0; done < opts.Members; {
				n := min(chunk, opts.Members-done)
				if err := put(ctx, im, n); err != nil {
					return err
				}
				done += n
				report(done)
			}
			if progress != nil {
				fmt.Fprintf(progress, "demo: building member indexes (%s)\n", time.Since(start).Round(time.Second))
			}
			return im.Finish(ctx)
		})
		if err != nil {
			return res, fmt.Errorf("seed members: %w", err)
		}
	}
	for done := 0; done < opts.Members && !national; {
		n := min(chunk, opts.Members-done)
		err := db.Write(ctx, func(tx *store.Tx) error {
			im, err := member.NewImporter(ctx, tx, nil, "dữ liệu mẫu")
			if err != nil {
				return err
			}
			if err := put(ctx, im, n); err != nil {
				return err
			}
			return im.Finish(ctx)
		})
		if err != nil {
			return res, fmt.Errorf("seed members: %w", err)
		}
		done += n
		report(done)
	}
	if progress != nil {
		fmt.Fprintf(progress, "demo: %d units and %d members in %s\n", res.Units, res.Members, time.Since(start).Round(time.Millisecond))
	}

	// The accounts and the reorganization are in Bắc Ninh, also in the national dataset.
	province := units["BN"]
	communes, leaves = under(communes, province.Path), under(leaves, province.Path)
	if len(communes) < 2 || len(leaves) == 0 {
		return res, fmt.Errorf("demo: the generated tree has %d communes and %d cells under %s; 2 and 1 at least are needed", len(communes), len(leaves), province.Code)
	}
	communeA, communeB := communes[0], communes[1]
	cell := leaves[0]
	for _, l := range leaves {
		if l.Type == org.TypeCell && l.ParentID == communeA.ID {
			cell = l
			break
		}
	}
	plan := []struct {
		user, name, role string
		unit             org.Unit
	}{
		{"quantri", "Quản trị hệ thống", store.RoleAdmin, units["TW"]},
		{"bithu", "Nguyễn Văn Thắng", store.RoleSecretary, province},
		{"tochuc", "Trần Thị Thu Hằng", store.RoleOrgOfficer, communeA},
		{"tochuc2", "Lê Minh Tuấn", store.RoleOrgOfficer, communeB},
		{"chutoa", "Phạm Quang Hùng", store.RoleChair, province},
		{"thuky", "Hoàng Thị Mai", store.RoleSecretariat, province},
		{"kiemphieu", "Vũ Đức Long", store.RoleCounting, province},
		{"daibieu", "Đặng Thị Hòa", store.RoleDelegate, province},
		{"dangvien", "Bùi Văn Nam", store.RoleMember, cell},
		{"congdan", "Đỗ Thị Lan", store.RoleCitizen, province},
	}
	accounts := account.NewService(db)
	for _, p := range plan {
		u, err := accounts.CreateUser(ctx, account.NewUser{Username: p.user, DisplayName: p.name, Password: Password})
		if err != nil {
			return res, fmt.Errorf("demo user %s: %w", p.user, err)
		}
		if err := accounts.Grant(ctx, u.ID, p.role, p.unit.ID); err != nil {
			return res, fmt.Errorf("demo grant %s: %w", p.user, err)
		}
		l := Login{Username: p.user, Name: p.name, Role: p.role, UnitCode: p.unit.Code, UnitName: p.unit.Name}
		if store.OfficerRole(p.role) {
			// Officers must use 2FA: give each a known secret, printed with the logins, so
			// the demo works with any authenticator app (or `dais user code NAME`).
			l.TOTPSecret = demoSecret(opts.Seed, p.user)
			if _, err := accounts.EnableTOTPWithSecret(ctx, u.ID, l.TOTPSecret); err != nil {
				return res, err
			}
		}
		res.Logins = append(res.Logins, l)
	}
	if err := reorganize(ctx, db, province, communes, leaves); err != nil {
		return res, fmt.Errorf("demo reorganization: %w", err)
	}
	return res, nil
}

// under keeps the units in the subtree at path.
func under(us []org.Unit, path string) []org.Unit {
	var out []org.Unit
	for _, u := range us {
		if path != "" && strings.HasPrefix(u.Path, path) {
			out = append(out, u)
		}
	}
	return out
}

// reorganize replays a little of a real year so the demo has history to show: two
// communes merged into one (as in the 2025 mergers), a few transfers between communes in
// every state.
func reorganize(ctx context.Context, db *store.DB, province org.Unit, communes, leaves []org.Unit) error {
	if len(communes) < 4 {
		return nil
	}
	office := &store.Principal{UserID: "demo", Grants: []store.Grant{{Role: store.RoleSecretary, UnitPath: province.Path, UnitID: province.ID}}}
	units, members, accounts := org.NewService(db), member.NewService(db), account.NewService(db)
	a, b := communes[2], communes[3]
	merged := org.NewUnit{Code: a.Code + "M", Name: a.Name + " (sau hợp nhất)", Type: org.TypeCommune}
	if _, err := units.Merge(ctx, office, []string{a.Code, b.Code}, merged, members, accounts); err != nil {
		return err
	}
	// Transfers out of the first commune's cells into the second commune.
	var from []org.Unit
	for _, l := range leaves {
		if l.ParentID == communes[0].ID {
			from = append(from, l)
		}
	}
	if len(from) == 0 {
		return nil
	}
	page := member.Page{Limit: 4}
	ms, err := members.List(ctx, office, from[0].Path, &page)
	if err != nil || len(ms) < 3 {
		return err
	}
	to := communes[1].Code
	received, err := members.IssueTransfer(ctx, office, member.NewTransfer{MemberID: ms[0].ID, ToUnitCode: to, Kind: member.TransferOfficial, Reason: "Chuyển nơi cư trú"})
	if err != nil {
		return err
	}
	if _, err := members.ReceiveTransfer(ctx, office, received.ID); err != nil {
		return err
	}
	if _, err := members.IssueTransfer(ctx, office, member.NewTransfer{MemberID: ms[1].ID, ToUnitCode: to, Kind: member.TransferOfficial, Reason: "Thay đổi nơi công tác"}); err != nil {
		return err
	}
	end := store.Now().AddDate(0, 6, 0).Format(time.DateOnly)
	_, err = members.IssueTransfer(ctx, office, member.NewTransfer{MemberID: ms[2].ID, ToUnitCode: to, Kind: member.TransferTemporary, Reason: "Đi học tập trung 6 tháng", EndsOn: end})
	return err
}

// demoSecret derives a TOTP secret from the seed and username (deterministic demo).
func demoSecret(seed uint64, username string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "dais-demo-totp %d %s", seed, username))
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:20])
}

// Logins lists the demo accounts of an already seeded store (to print them again).
func Logins(ctx context.Context, db *store.DB, seed uint64) ([]Login, error) {
	rows, err := db.R().QueryContext(ctx, `SELECT us.username, us.display_name, g.role, u.code, u.name, us.totp_enabled
		FROM users us JOIN grants g ON g.user_id = us.id JOIN units u ON u.id = g.unit_id ORDER BY us.created_at, us.username`)
	if err != nil {
		return nil, fmt.Errorf("list demo logins: %w", err)
	}
	defer rows.Close()
	var out []Login
	for rows.Next() {
		var l Login
		var totp bool
		if err := rows.Scan(&l.Username, &l.Name, &l.Role, &l.UnitCode, &l.UnitName, &totp); err != nil {
			return nil, err
		}
		if totp {
			l.TOTPSecret = demoSecret(seed, l.Username)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// enrich adds what the generator leaves out: a citizen ID number in the CCCD layout
// (province code, gender-and-century digit, year of birth, six digits), education and
// levels that fit the person's age.
func enrich(r *rand.Rand, rec *member.Record, p gen.Person) {
	century := 0 // men born 1900–1999: 0, women: 1; 2000–2099: 2 and 3
	if p.BirthDate.Year() >= 2000 {
		century = 2
	}
	if p.Gender == "female" {
		century++
	}
	rec.IDNumber = fmt.Sprintf("%03d%d%02d%06d", 1+r.IntN(96), century, p.BirthDate.Year()%100, r.IntN(1_000_000))
	rec.Education = "12/12"
	if p.BirthDate.Year() < 1960 && r.IntN(3) == 0 {
		rec.Education = "10/10"
	}
	rec.ProfessionalLevel = []string{"Đại học", "Đại học", "Cao đẳng", "Trung cấp", "Thạc sĩ", "Sơ cấp", ""}[r.IntN(7)]
	rec.TheoryLevel = []string{"Sơ cấp", "Sơ cấp", "Trung cấp", "Cao cấp", ""}[r.IntN(5)]
	rec.Residence = p.Hometown
	if r.IntN(3) == 0 {
		rec.Positions = []string{"Chi ủy viên", "Bí thư chi bộ", "Phó Bí thư chi bộ", "Trưởng thôn", "Giáo viên", "Công an xã", "Cán bộ hưu trí"}[r.IntN(7)]
	}
}
