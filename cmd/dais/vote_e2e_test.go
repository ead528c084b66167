package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dais/internal/account"
	"dais/internal/demo"
)

// TestVoteKill9 casts ballots through the API of a real `dais demo` from many goroutines,
// kills the server with SIGKILL in mid-stream, starts it again on the same store and
// checks that every ballot whose receipt reached a voter is counted, with the voter's
// choice (the polls are named motions, so the results say who chose what), that no poll
// holds a ballot without an eligibility mark or the reverse, and that retrying an
// acknowledged request after the restart answers the same receipt. SQLite always,
// PostgreSQL when DAIS_TEST_PG is set. It skips when the binary has no vote routes.
func TestVoteKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go is not on PATH: cannot build the binary")
	}
	bin := filepath.Join(t.TempDir(), "dais")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			flags := []string{"--data", dir, "--addr", "127.0.0.1:0"}
			if name == "postgres" {
				pg := os.Getenv("DAIS_TEST_PG")
				if pg == "" {
					t.Skip("DAIS_TEST_PG is not set")
				}
				u, drop, err := tempSchema(context.Background(), pg)
				if err != nil {
					t.Fatalf("temporary schema: %v", err)
				}
				t.Cleanup(drop)
				flags = append(flags, "--db", u)
			}
			voteKill9(t, bin, flags)
		})
	}
}

// voteAPI is a bearer-token JSON client.
type voteAPI struct {
	t     *testing.T
	base  string
	token string
	c     *http.Client
}

func (a *voteAPI) call(method, path string, body any) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, err
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("%s %s: %d, not JSON: %.200s", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out, nil
}

func (a *voteAPI) must(method, path string, body any, want int) map[string]any {
	a.t.Helper()
	st, out, err := a.call(method, path, body)
	if err != nil || st != want {
		a.t.Fatalf("%s %s: %d %v %v, want %d", method, path, st, out, err, want)
	}
	return out
}

func voteLogin(t *testing.T, base string, l demo.Login) *voteAPI {
	t.Helper()
	code := ""
	if l.TOTPSecret != "" {
		var err error
		if code, err = account.TOTPCode(l.TOTPSecret, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	a := &voteAPI{t: t, base: base, c: &http.Client{Timeout: 30 * time.Second}}
	out := a.must("POST", "/api/v1/session", map[string]string{"username": l.Username, "password": demo.Password, "code": code}, http.StatusCreated)
	a.token, _ = out["token"].(string)
	return a
}

type voteAck struct {
	poll, voter, choice, key, receipt string
}

func voteKill9(t *testing.T, bin string, flags []string) {
	d := startDemoBinary(t, bin, flags...)
	chair := voteLogin(t, d.url, d.logins["bithu"])
	ms := chair.must("GET", "/api/v1/meetings", nil, http.StatusOK)
	var congress string
	for _, m := range ms["meetings"].([]any) {
		if mm := m.(map[string]any); mm["kind"] == "congress" {
			congress = mm["id"].(string)
		}
	}
	if congress == "" {
		t.Fatal("no demo congress")
	}
	if st, _, _ := chair.call("GET", "/api/v1/meetings/"+congress+"/polls", nil); st == http.StatusNotFound {
		t.Skip("this binary has no vote routes (internal/vote is not wired in cmd/dais/app.go)")
	}
	// More delegates: three more demo accounts join; the excused one comes after all.
	for _, u := range []string{"dangvien", "congdan", "quantri"} {
		chair.must("POST", "/api/v1/meetings/"+congress+"/participants", map[string]string{"username": u, "role": "delegate"}, http.StatusCreated)
	}
	det := chair.must("GET", "/api/v1/meetings/"+congress, nil, http.StatusOK)
	names := map[string]string{} // username → display name
	for _, p := range det["participants"].([]any) {
		pp := p.(map[string]any)
		names[pp["username"].(string)] = pp["name"].(string)
		if pp["username"] == "tochuc2" {
			chair.must("POST", "/api/v1/meetings/"+congress+"/answer", map[string]string{"user_id": pp["user_id"].(string), "answer": "accepted"}, http.StatusOK)
		}
	}
	voters := []string{"daibieu", "tochuc", "tochuc2", "dangvien", "congdan", "quantri"}
	clients := map[string]*voteAPI{}
	for _, v := range voters {
		clients[v] = voteLogin(t, d.url, d.logins[v])
	}
	const polls = 40
	var pollIDs []string
	for i := 0; i < polls; i++ {
		out := chair.must("POST", "/api/v1/meetings/"+congress+"/polls", map[string]any{"kind": "motion", "title": fmt.Sprintf("Biểu quyết số %d", i+1)}, http.StatusCreated)
		id := out["poll"].(map[string]any)["id"].(string)
		chair.must("POST", "/api/v1/meetings/"+congress+"/polls/"+id+"/open", nil, http.StatusOK)
		pollIDs = append(pollIDs, id)
	}

	// Every (poll, voter) pair once, in random order, from 24 goroutines; SIGKILL after
	// a third of them were acknowledged.
	type job struct{ poll, voter string }
	var jobs []job
	for _, p := range pollIDs {
		for _, v := range voters {
			jobs = append(jobs, job{p, v})
		}
	}
	rand.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })
	queue := make(chan job)
	var mu sync.Mutex
	var acks []voteAck
	var acked atomic.Int64
	killAt := int64(len(jobs) / 3)
	killed := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for w := 0; w < 24; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				choice := []string{"yes", "no", "abstain"}[rand.IntN(3)]
				key := fmt.Sprintf("k9-%s-%s", j.poll[len(j.poll)-12:], j.voter)
				st, out, err := clients[j.voter].call("POST", "/api/v1/meetings/"+congress+"/polls/"+j.poll+"/ballots",
					map[string]any{"idempotency_key": key, "ballot": map[string]string{"choice": choice}})
				if err != nil || st != http.StatusCreated {
					continue // not acknowledged: the voter would try again
				}
				rc := out["receipt"].(map[string]any)["code"].(string)
				mu.Lock()
				acks = append(acks, voteAck{j.poll, j.voter, choice, key, rc})
				mu.Unlock()
				if acked.Add(1) >= killAt {
					once.Do(func() {
						d.cmd.Process.Kill() // SIGKILL: no shutdown, no flush
						close(killed)
					})
				}
			}
		}()
	}
feed:
	for _, j := range jobs {
		select {
		case queue <- j:
		case <-killed:
			break feed
		}
	}
	close(queue)
	wg.Wait()
	<-d.exited
	t.Logf("%d of %d ballots acknowledged before SIGKILL", len(acks), len(jobs))
	if len(acks) < int(killAt) {
		t.Fatalf("only %d acknowledged, expected at least %d", len(acks), killAt)
	}

	// Restart on the same store; the bearer tokens live in the store and still work.
	d2 := startDemoBinary(t, bin, flags...)
	t.Cleanup(func() { d2.stop(t) })
	chair.base = d2.url
	for _, c := range clients {
		c.base = d2.url
	}
	// A retried acknowledged request answers the same receipt and adds nothing.
	for _, a := range acks[:min(len(acks), 20)] {
		st, out, err := clients[a.voter].call("POST", "/api/v1/meetings/"+congress+"/polls/"+a.poll+"/ballots",
			map[string]any{"idempotency_key": a.key, "ballot": map[string]string{"choice": a.choice}})
		if err != nil || st != http.StatusOK || out["receipt"].(map[string]any)["code"] != a.receipt {
			t.Errorf("retry after restart of %s/%s: %d %v %v, want 200 with receipt %s", a.poll, a.voter, st, out, err, a.receipt)
		}
	}
	byPoll := map[string][]voteAck{}
	for _, a := range acks {
		byPoll[a.poll] = append(byPoll[a.poll], a)
	}
	counted := 0
	for _, p := range pollIDs {
		chair.must("POST", "/api/v1/meetings/"+congress+"/polls/"+p+"/close", nil, http.StatusOK)
		res := chair.must("GET", "/api/v1/meetings/"+congress+"/polls/"+p+"/results", nil, http.StatusOK)["results"].(map[string]any)
		named := map[string]string{}
		withChoice := 0
		for _, n := range res["named"].([]any) {
			nn := n.(map[string]any)
			named[nn["name"].(string)] = nn["choice"].(string)
			if nn["choice"] != "" {
				withChoice++
			}
		}
		returned := int(res["returned"].(float64))
		if returned != withChoice {
			t.Errorf("poll %s: %d ballots but %d voters marked as voted", p, returned, withChoice)
		}
		counted += returned
		for _, a := range byPoll[p] {
			if got := named[names[a.voter]]; got != a.choice {
				t.Errorf("poll %s: %s's acknowledged ballot %q is counted as %q", p, a.voter, a.choice, got)
			}
		}
	}
	t.Logf("%d ballots counted after the restart (%d acknowledged; the rest were in flight)", counted, len(acks))
	if counted < len(acks) {
		t.Errorf("%d counted < %d acknowledged", counted, len(acks))
	}
}
