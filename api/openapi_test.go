package api_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"dais/api"
)

// The module has no YAML dependency, so the test reads openapi.yaml with a small scanner
// that only understands what the spec uses: block mappings by indentation, block
// sequences ("- "), and block scalars ("|", ">"), whose contents are skipped. Flow values
// such as [a, b] stay opaque strings. That is enough to walk paths → method → responses.

type node struct {
	key      string // "-" for a sequence item
	value    string // the scalar after "key:", unquoted; "" when the value is a block
	indent   int
	line     int
	children []*node
}

func (n *node) child(key string) *node {
	for _, c := range n.children {
		if c.key == key {
			return c
		}
	}
	return nil
}

func (n *node) walk(f func(*node)) {
	f(n)
	for _, c := range n.children {
		c.walk(f)
	}
}

var keyRE = regexp.MustCompile(`^('[^']*'|"[^"]*"|[^\s'"#][^:#]*?):(?:\s+(.*))?$`)

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '\'' && s[len(s)-1] == '\'' || s[0] == '"' && s[len(s)-1] == '"') {
		return s[1 : len(s)-1]
	}
	return s
}

// stripComment removes a " #" comment outside quotes.
func stripComment(s string) string {
	var quote byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '#' && (i == 0 || s[i-1] == ' '):
			return strings.TrimRight(s[:i], " ")
		}
	}
	return s
}

func parse(src string) (*node, error) {
	root := &node{indent: -1}
	stack := []*node{root}
	blockIndent := -1 // >= 0 while skipping a block scalar's lines deeper than this
	for i, raw := range strings.Split(src, "\n") {
		lineNo := i + 1
		if strings.Contains(raw, "\t") {
			return nil, fmt.Errorf("line %d: tab character", lineNo)
		}
		text := strings.TrimRight(raw, " \r")
		body := strings.TrimLeft(text, " ")
		indent := len(text) - len(body)
		if blockIndent >= 0 {
			if body == "" || indent > blockIndent {
				continue
			}
			blockIndent = -1
		}
		if body == "" || strings.HasPrefix(body, "#") {
			continue
		}
		body = stripComment(body)
		for {
			for len(stack) > 1 && stack[len(stack)-1].indent >= indent {
				stack = stack[:len(stack)-1]
			}
			parent := stack[len(stack)-1]
			if rest, ok := strings.CutPrefix(body, "- "); ok || body == "-" {
				item := &node{key: "-", indent: indent, line: lineNo}
				parent.children = append(parent.children, item)
				stack = append(stack, item)
				if !ok || strings.TrimSpace(rest) == "" {
					break
				}
				if !keyRE.MatchString(rest) { // a scalar item
					item.value = unquote(rest)
					break
				}
				indent, body = indent+2, rest // a mapping inside the item
				continue
			}
			m := keyRE.FindStringSubmatch(body)
			if m == nil {
				return nil, fmt.Errorf("line %d: expected \"key:\" or \"- \", got %q", lineNo, body)
			}
			n := &node{key: unquote(strings.TrimSpace(m[1])), indent: indent, line: lineNo}
			switch v := strings.TrimSpace(m[2]); {
			case v != "" && strings.ContainsAny(v[:1], "|>"):
				blockIndent = indent
			case v != "":
				n.value = unquote(v)
			}
			parent.children = append(parent.children, n)
			stack = append(stack, n)
			break
		}
	}
	return root, nil
}

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operation is one (method, path) of the spec.
type operation struct {
	route string // "GET /api/v1/units/{code}"
	node  *node
}

func operations(t *testing.T, root *node) []operation {
	t.Helper()
	paths := root.child("paths")
	if paths == nil {
		t.Fatal("openapi.yaml: no top-level paths:")
	}
	var ops []operation
	for _, p := range paths.children {
		if !strings.HasPrefix(p.key, "/") {
			t.Errorf("openapi.yaml:%d: path %q does not start with /", p.line, p.key)
			continue
		}
		for _, m := range p.children {
			if slices.Contains(methods, m.key) {
				ops = append(ops, operation{strings.ToUpper(m.key) + " " + p.key, m})
			} else if m.key != "parameters" && m.key != "summary" && m.key != "description" && m.key != "servers" {
				t.Errorf("openapi.yaml:%d: unexpected key %q under %s", m.line, m.key, p.key)
			}
		}
	}
	return ops
}

func spec(t *testing.T) *node {
	t.Helper()
	root, err := parse(string(api.Spec))
	if err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	return root
}

func TestSpecWellFormed(t *testing.T) {
	root := spec(t)
	if v := root.child("openapi"); v == nil || !strings.HasPrefix(v.value, "3.1.") {
		t.Errorf("openapi: want 3.1.x")
	}
	for _, k := range []string{"info", "paths", "components"} {
		if root.child(k) == nil {
			t.Errorf("missing top-level %s:", k)
		}
	}
	// Every $ref resolves inside the document.
	root.walk(func(n *node) {
		if n.key != "$ref" {
			return
		}
		target, ok := strings.CutPrefix(n.value, "#/")
		if !ok {
			t.Errorf("line %d: $ref %q is not local", n.line, n.value)
			return
		}
		cur := root
		for _, k := range strings.Split(target, "/") {
			if cur = cur.child(k); cur == nil {
				t.Errorf("line %d: $ref %q does not resolve", n.line, n.value)
				return
			}
		}
	})
	// Every operation has a unique operationId and responses; every path template
	// parameter is declared.
	ids := map[string]string{}
	for _, op := range operations(t, root) {
		id := op.node.child("operationId")
		switch {
		case id == nil || id.value == "":
			t.Errorf("%s: no operationId", op.route)
		case ids[id.value] != "":
			t.Errorf("%s: operationId %q also used by %s", op.route, id.value, ids[id.value])
		default:
			ids[id.value] = op.route
		}
		if rs := op.node.child("responses"); rs == nil || len(rs.children) == 0 {
			t.Errorf("%s: no responses", op.route)
		}
	}
	params := root.child("components").child("parameters")
	for _, p := range root.child("paths").children {
		for _, want := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(p.key, -1) {
			if !declaresPathParam(p, params, want[1]) {
				t.Errorf("%s: path parameter %q is not declared", p.key, want[1])
			}
		}
	}
}

func declaresPathParam(pathItem, components *node, name string) bool {
	found := false
	check := func(list *node) {
		if list == nil {
			return
		}
		for _, item := range list.children {
			if ref := item.child("$ref"); ref != nil && components != nil {
				item = components.child(strings.TrimPrefix(ref.value, "#/components/parameters/"))
				if item == nil {
					continue
				}
			}
			if n, in := item.child("name"), item.child("in"); n != nil && in != nil && n.value == name && in.value == "path" {
				found = true
			}
		}
	}
	check(pathItem.child("parameters"))
	for _, m := range pathItem.children {
		if slices.Contains(methods, m.key) {
			check(m.child("parameters"))
		}
	}
	return found
}

// routeFile reports whether a file under internal/ registers routes: http.go, or a
// feature's additional *_http.go (internal/org/ops_http.go, internal/member/record_http.go).
func routeFile(name string) bool {
	return name == "http.go" || strings.HasSuffix(name, "_http.go") && !strings.HasSuffix(name, "_test.go")
}

var (
	// apiRE finds API registrations: srv.Public("METHOD /api/..."), srv.Private(...),
	// srv.PrivateLimit(...), and through a handler's field, h.srv.Private(...).
	apiRE = regexp.MustCompile(`\b\w+\.(Public|Private|PrivateLimit)\(\s*"([A-Z]+) (/api/[^"]*)"`)
	// callRE finds every registration call, and litRE those whose pattern is a string
	// literal: a call the scanner cannot read (a constant, a variable) must fail the test
	// rather than leave its route silently unchecked.
	callRE = regexp.MustCompile(`\.(Public|Private|PrivateLimit)\(`)
	litRE  = regexp.MustCompile(`\.(Public|Private|PrivateLimit)\(\s*"[A-Z]+ /[^"]*"`)
)

// apiRoutes reads the /api/ routes registered in one Go source (true for Private).
func apiRoutes(src string) map[string]bool {
	routes := map[string]bool{}
	for _, m := range apiRE.FindAllStringSubmatch(src, -1) {
		routes[m[2]+" "+m[3]] = m[1] != "Public"
	}
	return routes
}

// registered reads the routes the app registers from the Go sources:
// srv.Public("METHOD /api/...") and srv.Private(...) (or h.srv.Private(...)) in
// internal/**/http.go and internal/**/*_http.go, and the web layer's own probes,
// s.mux.HandleFunc("GET /healthz"), in internal/web/web.go.
// The value is true for a Private route.
func registered(t *testing.T) map[string]bool {
	t.Helper()
	probeRE := regexp.MustCompile(`\.mux\.HandleFunc\(\s*"([A-Z]+) (/[^"]*)"`)
	routes := map[string]bool{}
	files := map[string]int{}
	err := filepath.WalkDir("../internal", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !routeFile(d.Name()) {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		src := string(b)
		if calls, lits := len(callRE.FindAllString(src, -1)), len(litRE.FindAllString(src, -1)); calls != lits {
			t.Errorf("%s: %d of its %d Public/Private registrations do not take a string literal the scanner can read", path, calls-lits, calls)
		}
		found := apiRoutes(src)
		for r, private := range found {
			routes[r] = private
		}
		files[filepath.ToSlash(path)] = len(found)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../internal/web/web.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range probeRE.FindAllStringSubmatch(string(src), -1) {
		routes[m[1]+" "+m[2]] = false
	}
	if len(routes) < 10 || !routes["GET /api/v1/me"] {
		t.Fatalf("found only %d routes in the sources (%v): has the registration pattern changed?", len(routes), routes)
	}
	// The files known to register API routes must still be read (a rename or a new
	// registration style would otherwise drop their routes from the check unnoticed).
	for _, f := range []string{"../internal/org/http.go", "../internal/org/ops_http.go", "../internal/member/http.go", "../internal/account/http.go"} {
		if files[f] == 0 {
			t.Errorf("%s: no /api/ route found there: has the registration pattern changed?", f)
		}
	}
	return routes
}

func TestRouteScanner(t *testing.T) {
	src := `
	srv.Public("POST /api/v1/session", h.apiLogin)
	srv.Private("GET /api/v1/units/{code}/members", h.apiList)
	h.srv.Private("POST /api/v1/units/{code}/move", h.apiMove)
	h.srv.Private(
		"DELETE /api/v1/things/{id}", h.apiDelete)
	srv.Private("GET /units/{code}", h.unit)
`
	want := map[string]bool{
		"POST /api/v1/session":             false,
		"GET /api/v1/units/{code}/members": true,
		"POST /api/v1/units/{code}/move":   true,
		"DELETE /api/v1/things/{id}":       true,
	}
	got := apiRoutes(src)
	if len(got) != len(want) {
		t.Errorf("apiRoutes found %v, want %v", got, want)
	}
	for r, private := range want {
		if p, ok := got[r]; !ok || p != private {
			t.Errorf("apiRoutes: %s = %v, %v; want %v, true", r, p, ok, private)
		}
	}
	for name, want := range map[string]bool{"http.go": true, "ops_http.go": true, "record_http.go": true,
		"http_test.go": false, "ops_http_test.go": false, "json.go": false, "xhttp.go": false} {
		if routeFile(name) != want {
			t.Errorf("routeFile(%q) = %v, want %v", name, !want, want)
		}
	}
	if n, l := len(callRE.FindAllString(src, -1)), len(litRE.FindAllString(src, -1)); n != 5 || l != 5 {
		t.Errorf("callRE/litRE found %d/%d registrations, want 5/5", n, l)
	}
	if l := len(litRE.FindAllString(`srv.Private(pattern, h.f)`, -1)); l != 0 {
		t.Errorf("litRE matched a non-literal pattern")
	}
}

func TestSpecMatchesRoutes(t *testing.T) {
	routes := registered(t)
	documented := map[string]bool{}
	for _, op := range operations(t, spec(t)) {
		if documented[op.route] {
			t.Errorf("%s is documented twice", op.route)
		}
		documented[op.route] = true
	}
	var missing, extra []string
	for r := range routes {
		if !documented[r] {
			missing = append(missing, r)
		}
	}
	for r := range documented {
		if _, ok := routes[r]; !ok {
			extra = append(extra, r)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	if len(missing)+len(extra) > 0 {
		var b strings.Builder
		b.WriteString("api/openapi.yaml is out of step with the registered routes\n")
		for _, r := range missing {
			fmt.Fprintf(&b, "  missing from the spec:     %s\n", r)
		}
		for _, r := range extra {
			fmt.Fprintf(&b, "  in the spec, not routed:   %s\n", r)
		}
		t.Error(b.String())
	}
}

// TestSpecStatuses checks the statuses every route can answer with because of the shared
// plumbing (internal/web): 401 for private routes, 413 and 422 for JSON bodies, 403 for
// cookie-authenticated unsafe requests (CSRF), 404 for routes that address an object.
func TestSpecStatuses(t *testing.T) {
	routes := registered(t)
	for _, op := range operations(t, spec(t)) {
		method, path, _ := strings.Cut(op.route, " ")
		if !strings.HasPrefix(path, "/api/") {
			continue
		}
		rs := op.node.child("responses")
		if rs == nil {
			continue // reported by TestSpecWellFormed
		}
		var want []string
		if routes[op.route] {
			want = append(want, "401")
		}
		if op.node.child("requestBody") != nil {
			want = append(want, "413", "422")
		}
		// Unsafe requests can be refused by CSRF or by role, except the anonymous login
		// (API calls without a session are exempt from CSRF, and there is no role yet).
		if method != "GET" && op.route != "POST /api/v1/session" {
			want = append(want, "403")
		}
		if strings.Contains(path, "{") {
			want = append(want, "404")
		}
		want = append(want, "500")
		for _, code := range want {
			if rs.child(code) == nil {
				t.Errorf("%s: response %s is not documented", op.route, code)
			}
		}
		for _, r := range rs.children {
			if r.key != "default" && !regexp.MustCompile(`^[1-5][0-9][0-9]$`).MatchString(r.key) {
				t.Errorf("%s: response key %q is not a status code (quote it: '200')", op.route, r.key)
			}
		}
	}
}
