package service

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium returns the path of a Chromium to drive, skipping the test when
// there is none (failing under CI, which installs it: make deps).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium on PATH (make deps installs Debian's chromium)")
	}
	t.Skip("no chromium on PATH: install Debian's chromium (make deps) to run the browser test")
	return ""
}

// TestDashboardInBrowser drives headless Chromium through the dashboard:
// it logs in with the service's token, starts a crawl of the test site from the form, watches the job page's
// counters rise through the event stream without a reload, sees
// thumbnails appear, opens one with the keyboard and reads its manifest
// entry. It saves screenshots in the test's temp folder, and checks that
// the pages asked for nothing but the service.
func TestDashboardInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	exe := chromium(t)
	_, base := site(t, 40*time.Millisecond)
	h := newHarness(t, Config{Token: "browser-token"})
	shots := t.TempDir()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.WindowSize(420, 900), chromedp.Flag("disable-gpu", true),
		chromedp.UserDataDir(t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(actx)
	defer cancelTab()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			take := chromedp.FullScreenshot(100)
			if strings.Contains(name, "viewer") {
				take = chromedp.CaptureScreenshot() // the dialog, in the viewport
			}
			buf, err := chromedp.Run(ctx, take)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name), buf, 0o644)
		})
	}

	if err := chromedp.Do(ctx,
		// With a token, the dashboard asks for it first (the login
		// page's cookie then carries the pages and event streams).
		chromedp.Navigate(h.srv.URL+"/"),
		chromedp.WaitVisible("#token"),
		chromedp.SendKeys("#token", "browser-token"),
		chromedp.Click(`form[action="/login"] button`),
		chromedp.WaitVisible("#job-form"),
		chromedp.SendKeys("#urls", base+"/"),
		chromedp.SetValue(`input[name="depth"]`, "2"),
		chromedp.SetValue(`input[name="per-host"]`, "2"),
		shot("1-form.png"),
		chromedp.Click(`#job-form button[type="submit"]`),
		chromedp.WaitVisible("#job"),
	); err != nil {
		t.Fatal(err)
	}
	path, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.Contains(path, "/jobs/") {
		t.Fatalf("after the form: at %s (%v)", path, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__noReload = true`)); err != nil {
		t.Fatal(err)
	}

	// The counters rise while the job runs, on the same page.
	var seen []int
	for deadline := time.Now().Add(40 * time.Second); ; {
		// Both at once: a status event may come between two reads.
		both, err := chromedp.Run(ctx, chromedp.Evaluate[string](
			`document.getElementById("c-images").textContent + " " + document.getElementById("state").textContent`))
		if err != nil {
			t.Fatal(err)
		}
		txt, state, _ := strings.Cut(both, " ")
		if n, _ := strconv.Atoi(txt); len(seen) == 0 || seen[len(seen)-1] != n {
			seen = append(seen, n)
		}
		if state == "done" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job not done within 40s (state %q, images %v)", state, seen)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(seen) < 3 || seen[len(seen)-1] == 0 {
		t.Errorf("image counter went %v: did not rise live", seen)
	}

	// Thumbnails appear; one opens with the keyboard.
	if err := chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll("#thumbs img").length > 0 &&
				[...document.querySelectorAll("#thumbs img")].slice(0, 4).every(i => i.complete && i.naturalWidth > 0)`,
				chromedp.WithPollingTimeout(20*time.Second)))
			return err
		}),
		shot("2-job.png"),
		chromedp.Focus("#thumbs li:first-child button"),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible("#viewer"),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("viewer-img").complete &&
				document.getElementById("viewer-img").naturalWidth > 0`, chromedp.WithPollingTimeout(10*time.Second)))
			return err
		}),
		shot("3-viewer.png"),
	); err != nil {
		t.Fatal(err)
	}
	meta, err := chromedp.Run(ctx, chromedp.Text("#viewer-meta"))
	if err != nil {
		t.Fatal(err)
	}
	still, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__noReload === true`))
	if err != nil {
		t.Fatal(err)
	}
	// Every resource the pages loaded came from the service.
	foreign, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`performance.getEntriesByType("resource").map(e => e.name).filter(u => !u.startsWith(location.origin))`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"URL", base, "SHA-256", "Dimensions"} {
		if !strings.Contains(meta, want) {
			t.Errorf("viewer shows %q, lacks %q", meta, want)
		}
	}
	if !still {
		t.Errorf("the job page reloaded")
	}
	// The job list shows the job, done, with its counts.
	row := `#jobs tbody tr[data-id]`
	if err := chromedp.Do(ctx,
		chromedp.Navigate(h.srv.URL+"/"),
		chromedp.WaitVisible(row),
		shot("4-list.png"),
	); err != nil {
		t.Fatal(err)
	}
	list, err := chromedp.Run(ctx, chromedp.Text(row))
	if err != nil || !strings.Contains(list, "done") || !strings.Contains(list, strconv.Itoa(seen[len(seen)-1])) {
		t.Errorf("job list row %q (%v), want done with %d images", list, err, seen[len(seen)-1])
	}
	if len(foreign) > 0 {
		t.Errorf("the dashboard asked for other origins: %v", foreign)
	}
	t.Logf("screenshots in %s; image counter went %v", shots, seen)
	if dir := os.Getenv("IMGCRAWL_SCREENSHOTS"); dir != "" {
		for _, name := range []string{"1-form.png", "2-job.png", "3-viewer.png", "4-list.png"} {
			if b, err := os.ReadFile(filepath.Join(shots, name)); err == nil {
				os.WriteFile(filepath.Join(dir, name), b, 0o644)
			}
		}
	}
}
