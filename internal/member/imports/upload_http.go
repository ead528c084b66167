package imports

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"dais/internal/member"
	"dais/internal/store"
	"dais/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates are the import pages, registered under "import/".
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// MaxUpload bounds an uploaded file (a national file of 5.6 M rows is about 700 MB as CSV;
// such files go through `dais import members` on the server instead).
const MaxUpload = 512 << 20

// Job is one import started from the upload page. Jobs live in the memory of the replica
// that received the upload, and are visible only to their owner.
type Job struct {
	ID       string
	Owner    string
	File     string
	DryRun   bool
	Started  time.Time
	mu       sync.Mutex
	phase    string // checking, importing, done, failed
	done     int64  // bytes read in the current pass
	total    int64
	report   Report
	counts   Counts
	err      string
	finished time.Time
}

// JobView is a consistent copy of a job's state for the page.
type JobView struct {
	ID, File, Phase, Error string
	DryRun                 bool
	Percent                int
	Report                 Report
	Counts                 Counts
	Started, Finished      time.Time
}

func (j *Job) view() JobView {
	j.mu.Lock()
	defer j.mu.Unlock()
	v := JobView{ID: j.ID, File: j.File, Phase: j.phase, Error: j.err, DryRun: j.DryRun, Report: j.report, Counts: j.counts,
		Started: j.Started, Finished: j.finished}
	if j.total > 0 {
		v.Percent = int(j.done * 100 / j.total)
	}
	return v
}

func (j *Job) set(fn func(j *Job)) {
	j.mu.Lock()
	defer j.mu.Unlock()
	fn(j)
}

// Uploads serves the import pages.
type Uploads struct {
	srv  *web.Server
	db   *store.DB
	dir  string
	log  *slog.Logger
	mu   sync.Mutex
	jobs map[string]*Job
}

// Routes registers the upload page, the job pages and their progress.
func Routes(srv *web.Server, db *store.DB, dir string, log *slog.Logger) *Uploads {
	u := &Uploads{srv: srv, db: db, dir: dir, log: log, jobs: map[string]*Job{}}
	srv.Private("GET /import", u.form)
	srv.PrivateLimit("POST /import", MaxUpload+1<<20, u.upload)
	srv.Private("GET /import/{id}", u.status)
	return u
}

func (u *Uploads) form(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	if !p.CanAny(store.PermMemberWrite) {
		return &store.Error{Code: store.EFORBIDDEN, Key: "err.forbidden", Message: "not allowed to import members"}
	}
	var mine []JobView
	u.mu.Lock()
	for _, j := range u.jobs {
		if j.Owner == p.UserID {
			mine = append(mine, j.view())
		}
	}
	u.mu.Unlock()
	return u.srv.Page(w, r, "import/form", map[string]any{"Jobs": mine, "Columns": Columns})
}

func (u *Uploads) upload(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	if !p.CanAny(store.PermMemberWrite) {
		return &store.Error{Code: store.EFORBIDDEN, Key: "err.forbidden", Message: "not allowed to import members"}
	}
	enc, err := ParseEncoding(r.FormValue("encoding"))
	if err != nil {
		return store.Invalid("encoding", "imp.encoding", "unknown encoding")
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		var me *http.MaxBytesError
		if errors.As(err, &me) {
			return err
		}
		return store.Invalid("file", "imp.no_file", "choose a file to import")
	}
	defer f.Close()
	if err := os.MkdirAll(u.dir, 0o700); err != nil {
		return fmt.Errorf("import dir: %w", err)
	}
	id := store.NewID()
	path := filepath.Join(u.dir, id+".upload")
	out, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("save upload: %w", err)
	}
	size, err := io.Copy(out, f)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("save upload: %w", err)
	}
	name := filepath.Base(hdr.Filename)
	if len(name) > 120 {
		name = name[:120]
	}
	j := &Job{ID: id, Owner: p.UserID, File: name, DryRun: r.FormValue("dry_run") != "", Started: time.Now(), phase: "checking", total: size}
	u.mu.Lock()
	u.jobs[id] = j
	u.mu.Unlock()
	// The import outlives the request: it runs with the caller's rights and identity.
	ctx := store.WithActor(context.WithoutCancel(r.Context()), p.UserID)
	go u.run(ctx, j, p, path, size, enc)
	http.Redirect(w, r, "/import/"+id, http.StatusSeeOther)
	return nil
}

// run checks the file, then imports it unless it is a dry run or has problems.
func (u *Uploads) run(ctx context.Context, j *Job, p *store.Principal, path string, size int64, enc string) {
	defer os.Remove(path)
	fail := func(err error) {
		u.log.Warn("import failed", "job", j.ID, "err", err)
		j.set(func(j *Job) { j.phase, j.err, j.finished = "failed", err.Error(), time.Now() })
	}
	f, err := os.Open(path)
	if err != nil {
		fail(err)
		return
	}
	defer f.Close()
	progress := func(done, total int64) { j.set(func(j *Job) { j.done, j.total = done, total }) }
	rd, err := Open(f, size, j.File, Options{Encoding: enc, Progress: progress})
	var fe *FileError
	if errors.As(err, &fe) {
		j.set(func(j *Job) {
			j.phase, j.finished = "done", time.Now()
			for _, pr := range fe.Problems {
				j.report.problem(pr)
			}
		})
		return
	}
	if err != nil {
		fail(err)
		return
	}
	rep, err := Check(ctx, rd, time.Now(), func(code string) bool {
		var path string
		err := u.db.R().QueryRowContext(ctx, `SELECT path FROM units WHERE code = ? AND dissolved_at IS NULL`, code).Scan(&path)
		return err == nil && p.Can(store.PermMemberWrite, path) // other units are unknown to this officer
	})
	if err != nil {
		fail(err)
		return
	}
	j.set(func(j *Job) { j.report = rep })
	if !rep.OK() || j.DryRun {
		j.set(func(j *Job) { j.phase, j.finished = "done", time.Now() })
		return
	}
	j.set(func(j *Job) { j.phase, j.done = "importing", 0 })
	var counts Counts
	err = u.db.Write(ctx, func(tx *store.Tx) error {
		im, err := member.NewImporter(ctx, tx, p, "import of "+j.File)
		if err != nil {
			return err
		}
		if counts, err = Import(ctx, rd, im); err != nil {
			return err
		}
		return im.Finish(ctx)
	})
	if err != nil {
		fail(err)
		return
	}
	j.set(func(j *Job) { j.phase, j.counts, j.finished = "done", counts, time.Now() })
}

func (u *Uploads) status(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	u.mu.Lock()
	j, ok := u.jobs[r.PathValue("id")]
	u.mu.Unlock()
	if !ok || j.Owner != p.UserID {
		return store.NotFound("import")
	}
	return u.srv.Page(w, r, "import/job", j.view())
}

// Messages are the import pages' texts.
var Messages = web.Messages{
	"imp.title":           {"vi": "Nhập hồ sơ đảng viên từ tệp", "en": "Import member records from a file"},
	"imp.intro":           {"vi": "Tệp CSV hoặc XLSX theo mẫu (tiêu đề cột tiếng Việt hoặc tiếng Anh). Cả tệp được kiểm tra trước; chỉ cần một lỗi là không nhập gì. Nhập lại cùng một tệp không thay đổi gì.", "en": "A CSV or XLSX file in the template (Vietnamese or English column headers). The whole file is checked first; a single problem means nothing is imported. Importing the same file again changes nothing."},
	"imp.file":            {"vi": "Tệp (tối đa 512 MB)", "en": "File (at most 512 MB)"},
	"imp.encoding":        {"vi": "Bảng mã (với tệp CSV)", "en": "Text encoding (CSV files)"},
	"imp.enc_auto":        {"vi": "Tự nhận biết", "en": "Detect"},
	"imp.dry_run":         {"vi": "Chỉ kiểm tra, không nhập", "en": "Check only, import nothing"},
	"imp.submit":          {"vi": "Tải lên", "en": "Upload"},
	"imp.columns":         {"vi": "Các cột của mẫu", "en": "Template columns"},
	"imp.jobs":            {"vi": "Các lần nhập gần đây", "en": "Recent imports"},
	"imp.phase.checking":  {"vi": "Đang kiểm tra", "en": "Checking"},
	"imp.phase.importing": {"vi": "Đang nhập", "en": "Importing"},
	"imp.phase.done":      {"vi": "Xong", "en": "Done"},
	"imp.phase.failed":    {"vi": "Lỗi", "en": "Failed"},
	"imp.read":            {"vi": "Đã đọc %d%%", "en": "%d%% read"},
	"imp.rows":            {"vi": "%d dòng dữ liệu", "en": "%d data rows"},
	"imp.problems":        {"vi": "%d lỗi trong %d dòng: không có dòng nào được nhập.", "en": "%d problems in %d rows: nothing was imported."},
	"imp.ok_dry":          {"vi": "Không có lỗi. Đây là lần kiểm tra thử: chưa nhập gì.", "en": "No problems. This was a check: nothing was imported."},
	"imp.done":            {"vi": "Đã nhập: %d mới, %d cập nhật, %d không đổi.", "en": "Imported: %d new, %d updated, %d unchanged."},
	"imp.row":             {"vi": "Dòng", "en": "Row"},
	"imp.column":          {"vi": "Cột", "en": "Column"},
	"imp.problem":         {"vi": "Vấn đề", "en": "Problem"},
	"imp.warnings":        {"vi": "Cần xem lại", "en": "To check"},
	"imp.more":            {"vi": "… và %d lỗi khác", "en": "… and %d more problems"},
	"imp.no_file":         {"vi": "Vui lòng chọn tệp.", "en": "Choose a file."},
	"imp.again":           {"vi": "Nhập tệp khác", "en": "Import another file"},
}
