package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"dais/internal/demo"
	"dais/internal/store"
	"dais/internal/vote"
)

// TestBallotBrowser is a delegate voting in an election on the tablet, in headless
// Chromium: the strike-out ballot counts the names kept, refuses to send one keeping more
// than K, and records the ballot once it keeps at most K; axe-core checks the ballot.
func TestBallotBrowser(t *testing.T) {
	chromium := findChromium()
	if chromium == "" {
		t.Skip("no Chromium: set DAIS_TEST_CHROMIUM or install Debian's chromium at /usr/bin/chromium")
	}
	axeJS := loadAxe(t)
	a, base, _ := startDemoApp(t, 100)
	ctx := store.WithActor(context.Background(), "test")
	var congress string
	if err := a.db.R().QueryRowContext(ctx, `SELECT id FROM meetings WHERE kind = 'congress'`).Scan(&congress); err != nil {
		t.Fatal(err)
	}
	in := vote.Input{Kind: vote.KindElection, Title: "Bầu Ủy ban Kiểm tra Tỉnh ủy", Seats: 4}
	for _, n := range []string{"Nguyễn Thị Lan", "Trần Văn Bình", "Lê Hoàng Nam", "Phạm Thu Hà", "Đỗ Minh Quân"} {
		in.Candidates = append(in.Candidates, vote.Candidate{Name: n})
	}
	poll, err := a.votes.Create(ctx, nil, congress, in)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.votes.Open(ctx, nil, congress, poll.ID); err != nil {
		t.Fatal(err)
	}

	browser := startChromium(t, chromium, 412, 900) // a phone held upright
	bctx, cancel := context.WithTimeout(browser, 2*time.Minute)
	t.Cleanup(cancel)
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	kept := func() string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("form.ballot-form .kept")))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	do("log in", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "daibieu"), chromedp.SendKeys(chromedp.ID("password"), demo.Password))
	if _, err := chromedp.Run(bctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS("main button[type=submit]")))); err != nil {
		t.Fatal(err)
	}
	do("open the ballot", chromedp.Navigate(base+"/meetings/"+congress+"/polls/"+poll.ID), chromedp.WaitVisible(chromedp.CSS("form.ballot-form .kept")))
	if got := kept(); !strings.Contains(got, "Giữ lại 5 tên: quá số tối đa 4") {
		t.Errorf("all names kept: %q", got)
	}
	t.Run("axe", func(t *testing.T) { runAxe(t, bctx, axeJS) })
	// Sending five names is refused on the device: the page stays, nothing is recorded.
	do("send five names", chromedp.Click(chromedp.CSS("form.ballot-form button[type=submit]")))
	if tu, err := a.votes.Turnout(ctx, nil, congress, poll.ID); err != nil || tu.Voted != 0 {
		t.Fatalf("after a refused ballot: %+v, %v", tu, err)
	}
	do("strike out a name", chromedp.Click(chromedp.CSS(`form.ballot-form input[name=keep]`)))
	if got := kept(); !strings.Contains(got, "Giữ lại 4 tên, tối đa 4") {
		t.Errorf("after striking one out: %q", got)
	}
	saveScreenshot(t, bctx, os.Getenv("DAIS_TEST_SCREENSHOTS"), "ballot-phone")
	if _, err := chromedp.Run(bctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS("form.ballot-form button[type=submit]")))); err != nil {
		t.Fatal(err)
	}
	do("see the receipt", chromedp.WaitVisible(chromedp.CSS(".big-ok")))
	msg, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(".big-ok")))
	if err != nil || msg != "Phiếu của đồng chí đã được ghi nhận." {
		t.Errorf("receipt %q (%v)", msg, err)
	}
	t.Run("axe receipt", func(t *testing.T) { runAxe(t, bctx, axeJS) })
	if tu, err := a.votes.Turnout(ctx, nil, congress, poll.ID); err != nil || tu.Voted != 1 {
		t.Fatalf("turnout after the ballot: %+v, %v", tu, err)
	}
	// The ballot kept the four names left: after closing, the struck-out candidate has 0.
	if err := a.votes.Close(ctx, nil, congress, poll.ID); err != nil {
		t.Fatal(err)
	}
	res, err := a.votes.Results(ctx, nil, congress, poll.ID)
	if err != nil {
		t.Fatal(err)
	}
	votes := map[string]int{}
	for _, o := range res.Options {
		votes[o.Label] = o.Votes
	}
	if res.Valid != 1 || votes["Nguyễn Thị Lan"] != 0 || votes["Trần Văn Bình"] != 1 || votes["Đỗ Minh Quân"] != 1 {
		t.Errorf("results: valid %d, votes %v", res.Valid, votes)
	}
}
