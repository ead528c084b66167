package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"dais/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

// Renderer holds every page template, parsed once at start-up: each page is the base
// layout plus the page's own file, which defines "title" and "content". An htmx request
// gets "content" alone: the fragment is the same template the full page includes.
type Renderer struct {
	catalog *Catalog
	version string
	base    *template.Template
	mu      sync.RWMutex
	pages   map[string]*template.Template
	bufs    sync.Pool
}

// View is what every template receives.
type View struct {
	Lang      string
	Dir       string // "ltr" or "rtl"
	Path      string
	CSRF      string
	Session   *Session
	Principal *store.Principal
	Version   string
	RequestID string
	// Screen is a page shown on a hall's projector or screen (?screen=1): the layout
	// leaves out the navigation and the footer.
	Screen bool
	Data   any
}

// NewRenderer parses the layout, the shared partials and the web layer's own pages.
func NewRenderer(c *Catalog, version string) (*Renderer, error) {
	rd := &Renderer{catalog: c, version: version, pages: map[string]*template.Template{}}
	rd.bufs.New = func() any { return new(bytes.Buffer) }
	base, err := template.New("layout").Funcs(rd.funcs()).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	rd.base = base
	if err := rd.AddPages("", mustSub(templateFS, "templates")); err != nil {
		return nil, err
	}
	return rd, nil
}

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // embedded paths are fixed at compile time
	}
	return s
}

func (rd *Renderer) funcs() template.FuncMap {
	return template.FuncMap{
		"t": func(lang, key string, args ...any) string { return rd.catalog.T(lang, key, args...) },
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(orgZone).Format("02/01/2006")
		},
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(orgZone).Format("15:04 02/01/2006")
		},
		"add":  func(a, b int) int { return a + b },
		"sub":  func(a, b int) int { return a - b },
		"list": func(xs ...string) []string { return xs },
		// dict builds a map from key, value pairs for a partial's data.
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		// withLang passes the page's language along with a value to a partial.
		"withLang": func(lang string, v any) map[string]any { return map[string]any{"Lang": lang, "V": v} },
		"join":     strings.Join,
	}
}

// orgZone is where times are shown (DESIGN.md §2: UTC in the store, local on screen).
var orgZone = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return l
	}
	return time.FixedZone("ICT", 7*3600) // no tzdata on the machine: Vietnam has no DST
}()

// AddPages parses every *.html file at the root of fsys as a page named ns+"/"+basename
// (or basename when ns is empty). Files starting with "_" are partials shared by the
// package's pages.
func (rd *Renderer) AddPages(ns string, fsys fs.FS) error {
	files, err := fs.Glob(fsys, "*.html")
	if err != nil {
		return err
	}
	var partials, pages []string
	for _, f := range files {
		switch {
		case f == "layout.html" && ns == "":
		case strings.HasPrefix(f, "_"):
			partials = append(partials, f)
		default:
			pages = append(pages, f)
		}
	}
	rd.mu.Lock()
	defer rd.mu.Unlock()
	for _, f := range pages {
		t, err := rd.base.Clone()
		if err != nil {
			return err
		}
		if len(partials) > 0 {
			if t, err = t.ParseFS(fsys, partials...); err != nil {
				return fmt.Errorf("parse partials of %s: %w", ns, err)
			}
		}
		if t, err = t.ParseFS(fsys, f); err != nil {
			return fmt.Errorf("parse page %s/%s: %w", ns, f, err)
		}
		name := strings.TrimSuffix(path.Base(f), ".html")
		if ns != "" {
			name = ns + "/" + name
		}
		if _, dup := rd.pages[name]; dup {
			return fmt.Errorf("page %s defined twice", name)
		}
		rd.pages[name] = t
	}
	return nil
}

// Execute renders page (whole, or its "content" fragment) into w with status.
func (rd *Renderer) Execute(w http.ResponseWriter, status int, page string, fragment bool, v View) error {
	rd.mu.RLock()
	t, ok := rd.pages[page]
	rd.mu.RUnlock()
	if !ok {
		return store.Errorf(store.EINTERNAL, "no page template %q", page)
	}
	name := "layout"
	if fragment {
		name = "content"
	}
	buf := rd.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer rd.bufs.Put(buf)
	// Render into a buffer first: a template error must not leave half a page behind.
	if err := t.ExecuteTemplate(buf, name, v); err != nil {
		return fmt.Errorf("render %s: %w", page, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Vary", "HX-Request, Cookie, Accept-Language")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// Render renders a page for r, filling the View from the request.
func (rd *Renderer) Render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	if err := rd.Execute(w, status, page, IsHTMX(r), rd.View(w, r, data)); err != nil {
		// Nothing was written yet: fall back to plain text.
		http.Error(w, "render error; request "+RequestID(r.Context()), http.StatusInternalServerError)
		if l := loggerFrom(r); l != nil {
			l.ErrorContext(r.Context(), "render", "page", page, "err", err)
		}
	}
}

// View builds the template data for r.
func (rd *Renderer) View(w http.ResponseWriter, r *http.Request, data any) View {
	lang := Lang(r)
	sess := SessionFrom(r.Context())
	v := View{Lang: lang, Dir: "ltr", Path: r.URL.Path, Session: sess, Principal: PrincipalFrom(r.Context()),
		Version: rd.version, RequestID: RequestID(r.Context()), Screen: r.URL.Query().Get("screen") == "1", Data: data}
	if srv := serverFrom(r); srv != nil {
		v.CSRF = srv.CSRFToken(w, r)
	}
	return v
}

// Page renders page with data and status 200: the common case of a GET handler.
func (s *Server) Page(w http.ResponseWriter, r *http.Request, page string, data any) error {
	return s.cfg.Renderer.Execute(w, http.StatusOK, page, IsHTMX(r), s.cfg.Renderer.View(w, r, data))
}

// PageStatus renders page with a status other than 200 (e.g. 422 for a form with errors).
func (s *Server) PageStatus(w http.ResponseWriter, r *http.Request, status int, page string, data any) error {
	return s.cfg.Renderer.Execute(w, status, page, IsHTMX(r), s.cfg.Renderer.View(w, r, data))
}
