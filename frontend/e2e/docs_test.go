package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestTPPAPIReference: anyone opens the API reference from the documentation index in the
// navigation and reads the TPP API's own description, rendered by Redoc in the browser
// from the portal's copy of the document: the account list is there as GET /v1/accounts
// with its summary.
func TestTPPAPIReference(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	p.open("/")
	p.click(`nav a[href="/docs"]`)
	p.waitPath("/docs")
	p.click(`#docs-index a[href="/docs/tpp-api"]`)
	p.waitPath("/docs/tpp-api")
	p.expectText("main h1", "TPP API reference")
	// The reference is a document of its own in a frame (its own CSP, deployed); Redoc
	// calls back once it has rendered the description, and each operation is a section
	// named after its operationId.
	// Rendering the whole description takes Redoc about 8 s of one core alone, several
	// times that while the other packages' tests share the two cores.
	var text string
	p.doWithin(3*time.Minute, "wait for the rendered reference",
		chromedp.WaitVisible("#tpp-api-frame", chromedp.ByQuery),
		chromedp.Poll(`(() => {
			const d = document.getElementById("tpp-api-frame").contentDocument;
			const op = d && d.querySelector('#tpp-api-reference[data-rendered="yes"] [id="operation/ais-accounts"]');
			return op ? op.innerText : null;
		})()`, &text, chromedp.WithPollingInterval(100*time.Millisecond)))
	for _, want := range []string{"The consent's accounts", "GET", "/v1/accounts", "Consent-ID", "withBalance"} {
		if !strings.Contains(text, want) {
			p.fatalf("the operation ais-accounts shows %.600q, without %q", text, want)
		}
	}
	var failed bool
	p.do("look for an error", chromedp.Evaluate(`!!document.getElementById("tpp-api-frame").contentDocument.getElementById("tpp-api-error")`, &failed))
	if failed {
		p.fatalf("the reference shows its error")
	}
}
