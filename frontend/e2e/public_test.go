package e2e

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/bank/devportal/shared/local/testenv"
)

// TestPublicPages: a visitor who has not signed up finds, from the navigation, what the
// bank offers (each product with the PSD2 role and the approval it needs), the
// documentation, help with the support contact as configured, and the sandbox's status.
func TestPublicPages(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	p.open("/")

	p.click(`nav a[href="/apis"]`)
	p.waitPath("/apis")
	p.expectText("main h1", "APIs and products")
	p.expectText("#product-ais-name", "Account Information (AIS)")
	p.expectText("#product-ais-role", "PSP_AI (account information)")
	p.expectText("#product-pis-role", "PSP_PI (payment initiation)")
	p.expectText("#product-pay-later-approval", "The bank reviews each subscription before it becomes active.")
	p.expectText(`#product-ais-plans tr[data-plan="production"] th`, "Production")

	p.click(`nav a[href="/docs"]`)
	p.waitPath("/docs")
	p.expectText("main h1", "Documentation")
	p.click(`#docs-index a[href="/docs/getting-started"]`)
	p.waitPath("/docs/getting-started")

	p.click(`nav a[href="/help"]`)
	p.waitPath("/help")
	p.expectText("#support-email", "api-support@devportal.example")
	p.expectText("#support-hours", "Monday to Friday, 9:00 to 17:00 CET")

	p.click(`nav a[href="/status"]`)
	p.waitPath("/status")
	// A check slower than its two-second budget (moto, on cores busy with other tests)
	// reports that service unavailable, truthfully: a person would check again.
	p.reloadUntil("/status", "#status-summary strong", "Everything is working.")
}

// TestPublicPagesFitAPhone: at 1280 and at 390 px wide no public page scrolls sideways
// (each photographed), and on a phone the navigation sits behind a menu button that opens
// it.
func TestPublicPagesFitAPhone(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	p.photographAtEachWidth(shot{"home", "/"}, shot{"apis", "/apis"}, shot{"docs", "/docs"}, shot{"help", "/help"}, shot{"status", "/status"},
		shot{"getting-started", "/docs/getting-started"}, shot{"login", "/login"}, shot{"signup", "/signup"})
	p.do("narrow the window to a phone's", chromedp.EmulateViewport(390, 844))
	p.open("/")
	var navShown bool
	p.do("read whether the navigation shows", chromedp.Evaluate(`getComputedStyle(document.getElementById("main-nav")).display !== "none"`, &navShown))
	if navShown {
		p.fatalf("at 390 px the navigation shows before the menu is opened")
	}
	p.click("#menu-button")
	p.click(`nav a[href="/help"]`)
	p.waitPath("/help")
	p.expectNoSidewaysScroll("/help")
}

// expectNoSidewaysScroll fails when the page is wider than the window, naming the widest
// elements that stick out so the failure says where to look.
func (p *page) expectNoSidewaysScroll(path string) {
	p.t.Helper()
	var r struct {
		Scroll int      `json:"scroll"`
		Width  int      `json:"width"`
		Out    []string `json:"out"`
	}
	p.do("measure "+path, chromedp.Evaluate(`(() => {
		const width = document.documentElement.clientWidth;
		const out = [];
		// What overflows inside a box that scrolls or clips (a wide table in its wrapper)
		// does not widen the page, unless it is positioned against a box outside it.
		const contained = (e) => {
			const position = getComputedStyle(e).position;
			if (position === "fixed") return false;
			let a = e.parentElement;
			if (position === "absolute") {
				while (a && a !== document.body && getComputedStyle(a).position === "static") a = a.parentElement;
			}
			for (; a && a !== document.body; a = a.parentElement) {
				if (getComputedStyle(a).overflowX !== "visible") return true;
			}
			return false;
		};
		for (const e of document.querySelectorAll("body *")) {
			const b = e.getBoundingClientRect();
			if (b.right > width + 1 && out.length < 5 && !contained(e)) out.push(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.split(" ").join(".") : "") + " right=" + Math.round(b.right));
		}
		return {scroll: document.documentElement.scrollWidth, width, out};
	})()`, &r))
	if r.Scroll > r.Width {
		p.fatalf("%s scrolls sideways: %d px wide in a %d px window; sticking out: %v", path, r.Scroll, r.Width, r.Out)
	}
}

// TestHeaderFitsSignedIn: signed in as operations (the longest navigation: the console and
// the dev mailbox too), the header stays on one line at 1280 px; at 390 px the navigation
// folds behind the menu button and the signed-in pages do not scroll sideways.
func TestHeaderFitsSignedIn(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	p.signIn(testenv.Ops.Email, testenv.Ops.Password)
	p.waitPath("/ops") // operations staff start at their inbox
	p.waitVisible(`nav a[href="/dev/mail"]`)
	var rows []int
	p.do("read where the header's items are", chromedp.Evaluate(`(() => {
		const tops = new Set();
		for (const e of document.querySelectorAll(".brand, #main-nav > ul > li")) {
			const b = e.getBoundingClientRect();
			tops.add(Math.round(b.top + b.height / 2));
		}
		return [...tops];
	})()`, &rows))
	if len(rows) != 1 {
		p.fatalf("at 1280 px the signed-in header has its items on %d lines (middles at %v)", len(rows), rows)
	}
	p.expectNoSidewaysScroll("/ops")
	p.photographAtEachWidth(shot{"ops-inbox", "/ops"}, shot{"ops-organizations", "/ops/organizations"}, shot{"ops-audit", "/ops/audit"})

	p.do("narrow the window to a phone's", chromedp.EmulateViewport(390, 844))
	for _, path := range []string{"/ops", "/account", "/organizations", "/account/password"} {
		p.open(path)
		p.expectNoSidewaysScroll(path)
	}
	p.click("#menu-button")
	p.click(`nav a[href="/organizations"]`)
	p.waitPath("/organizations")
}

// screenshotWidths are the window widths the main pages are photographed and measured at:
// a laptop's and a phone's.
var screenshotWidths = []int64{1280, 390}

// screenshotDir is where the journeys leave their screenshots, for a person to look at
// after `make test`: .local/screenshots in the repository, which git ignores.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", ".local", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// shot is a page to photograph: its path, and the name its screenshots are saved under.
type shot struct{ name, path string }

// photographAtEachWidth opens each page at each of screenshotWidths, fails if the page
// scrolls sideways there, and saves a full-page screenshot as <name>-<width>.jpg, checked
// to be an image as wide as the window. The window is left at its usual size.
func (p *page) photographAtEachWidth(shots ...shot) {
	p.t.Helper()
	dir := screenshotDir(p.t)
	defer p.do("restore the window", emulation.ClearDeviceMetricsOverride())
	for _, width := range screenshotWidths {
		p.do(fmt.Sprintf("set the window to %d px", width), chromedp.EmulateViewport(width, 900))
		for _, s := range shots {
			p.open(s.path)
			p.waitSettled()
			p.expectNoSidewaysScroll(fmt.Sprintf("%s at %d px", s.path, width))
			var img []byte
			p.do("photograph "+s.path, chromedp.FullScreenshot(&img, 90))
			got, err := jpeg.DecodeConfig(bytes.NewReader(img))
			if err != nil || int64(got.Width) != width {
				p.fatalf("the screenshot of %s at %d px is %d px wide (%v)", s.path, width, got.Width, err)
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.jpg", s.name, width)), img, 0o644); err != nil {
				p.t.Fatal(err)
			}
		}
	}
}
