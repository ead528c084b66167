package imports

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
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

// Job is one import started from the upload page. The file and the work stay on the
// replica that received the upload; the job's state is in the store (import_jobs), so
// that its owner follows it from any replica. A job whose worker stopped updating it
// (the server was restarted mid-import) is shown as failed: the import's transaction
// was rolled back, nothing of it was kept.
type Job struct {
	ID       string
	Owner    string
	File     string
	DryRun   bool
	Started  time.Time
	phase    string // checking, importing, done, failed
	done     int64  // bytes read in the current pass
	total    int64
	report   Report
	counts   Counts
	err      string
	updated  time.Time
	finished time.Time
}

// JobView is a job's state for the page.
type JobView struct {
	ID, File, Phase, Error string
	DryRun                 bool
	Interrupted            bool // the server stopped during the import: nothing of it was kept
	Percent                int
	Report                 Report
	Counts                 Counts
	Started, Finished      time.Time
}

// stale is how long a running job may go without a heartbeat before it counts as cut
// short — unless this replica is running it: on SQLite the heartbeat waits for the import's
// own transaction to commit (one writer), so a long import cannot beat.
const stale = 2 * time.Minute

func (j *Job) view(now time.Time, running bool) JobView {
	v := JobView{ID: j.ID, File: j.File, Phase: j.phase, Error: j.err, DryRun: j.DryRun, Report: j.report, Counts: j.counts,
		Started: j.Started, Finished: j.finished}
	if j.total > 0 {
		v.Percent = int(min(j.done*100/j.total, 100))
	}
	if (v.Phase == "checking" || v.Phase == "importing") && !running && now.Sub(j.updated) > stale {
		v.Phase, v.Interrupted = "failed", true
	}
	return v
}

const jobCols = `id, owner_id, file, dry_run, phase, done_bytes, total_bytes, report, counts, error, started_at, updated_at, finished_at`

func scanJob(row store.Scanner) (*Job, error) {
	j := &Job{}
	var report, counts string
	var finished sql.NullTime
	if err := row.Scan(&j.ID, &j.Owner, &j.File, &j.DryRun, &j.phase, &j.done, &j.total, &report, &counts, &j.err, &j.Started, &j.updated, &finished); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, store.NotFound("import")
		}
		return nil, fmt.Errorf("read import job: %w", err)
	}
	if err := json.Unmarshal([]byte(report), &j.report); err != nil {
		return nil, fmt.Errorf("import job report: %w", err)
	}
	if err := json.Unmarshal([]byte(counts), &j.counts); err != nil {
		return nil, fmt.Errorf("import job counts: %w", err)
	}
	j.finished = finished.Time
	return j, nil
}

// save writes the job's state (a heartbeat too). Progress is housekeeping, not the
// organization's data: unaudited; the import itself is audited by member.Importer.
func (u *Uploads) save(ctx context.Context, j *Job) error {
	report, err := json.Marshal(j.report)
	if err != nil {
		return err
	}
	counts, err := json.Marshal(j.counts)
	if err != nil {
		return err
	}
	var finished any
	if !j.finished.IsZero() {
		finished = j.finished
	}
	j.updated = store.Now()
	return u.db.WriteUnaudited(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE import_jobs SET phase = ?, done_bytes = ?, total_bytes = ?, report = ?, counts = ?, error = ?,
			updated_at = ?, finished_at = ? WHERE id = ?`, j.phase, j.done, j.total, string(report), string(counts), j.err, j.updated, finished, j.ID)
		return err
	})
}

// Uploads serves the import pages.
type Uploads struct {
	srv     *web.Server
	db      *store.DB
	dir     string
	log     *slog.Logger
	running sync.Map // IDs of the jobs this replica is running
}

func (u *Uploads) isRunning(id string) bool { _, ok := u.running.Load(id); return ok }

// Routes registers the upload page, the job pages and their progress.
func Routes(srv *web.Server, db *store.DB, dir string, log *slog.Logger) *Uploads {
	u := &Uploads{srv: srv, db: db, dir: dir, log: log}
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
	rows, err := u.db.R().QueryContext(r.Context(), `SELECT `+jobCols+` FROM import_jobs WHERE owner_id = ? ORDER BY started_at DESC LIMIT 20`, p.UserID)
	jobs, err := store.Collect(rows, err, scanJob)
	if err != nil {
		return err
	}
	now := store.Now()
	mine := make([]JobView, len(jobs))
	for i, j := range jobs {
		mine[i] = j.view(now, u.isRunning(j.ID))
	}
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
	now := store.Now()
	j := &Job{ID: id, Owner: p.UserID, File: name, DryRun: r.FormValue("dry_run") != "", Started: now, phase: "checking", total: size, updated: now}
	ctx := store.WithActor(r.Context(), p.UserID)
	err = u.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO import_jobs (id, owner_id, file, dry_run, phase, total_bytes, started_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, j.ID, j.Owner, j.File, j.DryRun, j.phase, j.total, now, now); err != nil {
			return fmt.Errorf("record import job: %w", err)
		}
		return tx.Audit(ctx, "member.import_upload", "import_job", j.ID, map[string]any{"file": j.File, "bytes": size, "dry_run": j.DryRun})
	})
	if err != nil {
		os.Remove(path)
		return err
	}
	// The import outlives the request: it runs with the caller's rights and identity.
	ctx = context.WithoutCancel(ctx)
	u.running.Store(j.ID, struct{}{})
	go u.run(ctx, j, p, path, size, enc)
	http.Redirect(w, r, "/import/"+id, http.StatusSeeOther)
	return nil
}

// run checks the file, then imports it unless it is a dry run or has problems.
func (u *Uploads) run(ctx context.Context, j *Job, p *store.Principal, path string, size int64, enc string) {
	defer os.Remove(path)
	defer u.running.Delete(j.ID)
	var mu sync.Mutex // the progress callback and the heartbeat write j's progress
	save := func(fn func(j *Job)) {
		mu.Lock()
		defer mu.Unlock()
		fn(j)
		if err := u.save(ctx, j); err != nil {
			u.log.Error("save import job", "job", j.ID, "err", err)
		}
	}
	fail := func(err error) {
		u.log.Warn("import failed", "job", j.ID, "err", err)
		save(func(j *Job) { j.phase, j.err, j.finished = "failed", err.Error(), store.Now() })
	}
	// A heartbeat every few seconds: progress for the page, and the sign that the job is
	// alive (a job without one for two minutes is shown as cut short).
	stop := make(chan struct{})
	defer close(stop)
	var done, total atomic.Int64
	go func() {
		tick := time.NewTicker(3 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				save(func(j *Job) { j.done, j.total = done.Load(), total.Load() })
			}
		}
	}()
	f, err := os.Open(path)
	if err != nil {
		fail(err)
		return
	}
	defer f.Close()
	total.Store(size)
	progress := func(d, t int64) { done.Store(d); total.Store(t) }
	rd, err := Open(f, size, j.File, Options{Encoding: enc, Progress: progress})
	var fe *FileError
	if errors.As(err, &fe) {
		save(func(j *Job) {
			j.phase, j.finished = "done", store.Now()
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
	if !rep.OK() || j.DryRun {
		save(func(j *Job) { j.report, j.phase, j.finished = rep, "done", store.Now() })
		return
	}
	done.Store(0)
	save(func(j *Job) { j.report, j.phase, j.done = rep, "importing", 0 })
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
	save(func(j *Job) { j.phase, j.counts, j.done, j.finished = "done", counts, j.total, store.Now() })
}

func (u *Uploads) status(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	j, err := scanJob(u.db.R().QueryRowContext(r.Context(), `SELECT `+jobCols+` FROM import_jobs WHERE id = ? AND owner_id = ?`, r.PathValue("id"), p.UserID))
	if err != nil {
		return err
	}
	return u.srv.Page(w, r, "import/job", j.view(store.Now(), u.isRunning(j.ID)))
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
	"imp.interrupted":     {"vi": "Máy chủ đã dừng khi đang nhập tệp này; không có dòng nào được nhập. Vui lòng tải tệp lên lại.", "en": "The server stopped during this import; nothing of it was kept. Upload the file again."},
}
