package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dais/internal/demo"
	"dais/internal/store"
	"dais/internal/store/storetest"
)

// TestImportCommand runs `dais import members` on a seeded store: a dry run, an import,
// the same import again (nothing changes), and a file with problems (nothing imported,
// the rows named, exit status 1).
func TestImportCommand(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) { testImportCommand(t, d) })
	}
}

func testImportCommand(t *testing.T, d store.Dialect) {
	ctx := context.Background()
	dir, dbURL := t.TempDir(), storetest.URL(t, d)
	db, err := store.Open(ctx, store.Options{DataDir: dir, URL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, db, demo.Options{Seed: 7, Members: 20, Communes: 2}, nil); err != nil {
		t.Fatal(err)
	}
	var units []string
	rows, err := db.R().QueryContext(ctx, `SELECT code FROM units WHERE dissolved_at IS NULL ORDER BY depth DESC, code LIMIT 2`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		rows.Scan(&c)
		units = append(units, c)
	}
	rows.Close()
	members := func() int {
		var n int
		if err := db.R().QueryRowContext(ctx, `SELECT count(*) FROM members`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := members()

	write := func(name, body string) string {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	header := "Họ và tên,Giới tính,Ngày sinh,Số thẻ đảng viên,Mã đơn vị,Ngày vào Đảng,Ngày chính thức,Chức vụ\n"
	good := write("members.csv", header+
		fmt.Sprintf("Nguyễn Văn Hùng,Nam,12/03/1968,99000001,%s,19/05/1990,19/05/1991,Bí thư chi bộ\n", units[0])+
		fmt.Sprintf("Trần Thị Thu Hằng,Nữ,05/11/1975,99000002,%s,03/02/1998,,\n", units[0])+
		fmt.Sprintf("Lê Quang Minh,Nam,1982-07-21,09900003,%s,02/09/2006,02/09/2007,\n", units[1]))
	bad := write("bad.csv", header+
		fmt.Sprintf("Nguyễn Văn Hùng,Nam,12/03/1968,99000001,%s,19/05/1990,19/05/1991,\n", units[0])+
		"Phạm Thị Hoà,Nữ,30/04/1990,99000004,XX.NONE,15/10/2015,,\n"+
		fmt.Sprintf("Hoàng Văn Thuỷ,Nam,31/02/1958,99000001,%s,20/12/1979,,\n", units[0]))

	cli := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		args = append(append([]string{"import", "members"}, args...), "--data", dir)
		if dbURL != "" {
			args = append(args, "--db", dbURL)
		}
		err := run(ctx, args, strings.NewReader(""), &out, &errOut)
		return out.String(), err
	}
	steps := []struct {
		name    string
		args    []string
		want    []string // lines expected in the output
		wantErr string
		members int // members added since the start
	}{
		{"dry run", []string{good, "--dry-run"}, []string{"members.csv: CSV, utf-8", "dry run: 3 rows checked, no problems, 0 warnings; nothing was imported"}, "", 0},
		{"import", []string{good}, []string{"imported 3 rows: 3 created, 0 updated, 0 unchanged"}, "", 3},
		{"again", []string{"--encoding", "utf-8", good}, []string{"imported 3 rows: 0 created, 0 updated, 3 unchanged"}, "", 3},
		{"problems", []string{bad}, []string{
			`row 3, column "Mã đơn vị": XX.NONE is not a unit you may import into (no such code, dissolved, or outside your units)`,
			`row 4, column "Ngày sinh": is not a date ("31/02/1958": February 1958 has no day 31)`,
			`row 4, column "Số thẻ đảng viên": 99000001 is also on row 2: a card number may appear only once`,
		}, "3 problems in 2 of 3 rows (rows 3, 4); nothing was imported", 3},
		{"problems, dry run", []string{bad, "--dry-run"}, nil, "3 problems in 2 of 3 rows (rows 3, 4); nothing was imported", 3},
		{"not the template", []string{write("x.csv", "Số điện thoại\n0912\n")}, []string{`row 1, column "Số điện thoại": is not a column of the import template (column A)`}, "cannot be imported", 3},
	}
	for _, s := range steps {
		out, err := cli(s.args...)
		if (err == nil) != (s.wantErr == "") || (err != nil && !strings.Contains(err.Error(), s.wantErr)) {
			t.Errorf("%s: error %v, want %q\n%s", s.name, err, s.wantErr, out)
		}
		var ue usageError
		if errors.As(err, &ue) {
			t.Errorf("%s: a usage error (exit 2) for a bad file", s.name)
		}
		for _, line := range s.want {
			if !strings.Contains(out, line+"\n") {
				t.Errorf("%s: output lacks %q:\n%s", s.name, line, out)
			}
		}
		if got := members() - before; got != s.members {
			t.Errorf("%s: %d members added, want %d", s.name, got, s.members)
		}
	}
	var card string
	if err := db.R().QueryRowContext(ctx, `SELECT card_number FROM members WHERE full_name = ?`, "Lê Quang Minh").Scan(&card); err != nil || card != "09900003" {
		t.Errorf("card number %q, %v: leading zero lost", card, err)
	}
	for _, args := range [][]string{{"import"}, {"import", "people", good}, {"import", "members", good, good}, {"import", "members", good, "--encoding", "vni"}} {
		var out bytes.Buffer
		err := run(ctx, args, strings.NewReader(""), &out, &out)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}
