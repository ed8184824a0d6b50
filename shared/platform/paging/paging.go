// Package paging is how every list of the APIs pages: the caller asks for at most Limit
// items after an opaque Cursor, and the answer's next cursor (empty at the end) asks for
// the rest. A list read whole grows with the bank's history; a page does not.
package paging

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/bank/devportal/shared/platform/apperr"
)

const (
	// DefaultLimit is the page size when the caller names none.
	DefaultLimit = 50
	// MaxLimit is the largest page a caller may ask for.
	MaxLimit = 100
	// maxCursor bounds a cursor's length: a real one is a few table keys.
	maxCursor = 1024
)

// Page asks for one page of a list.
type Page struct {
	// Cursor is where the page starts: the next cursor of the page before, or empty for
	// the first page.
	Cursor string
	// Limit is the most items the page holds.
	Limit int
}

// First is the first page of the default size.
func First() Page { return Page{Limit: DefaultLimit} }

// MsgLimit is the rule of the limit parameter.
var MsgLimit = "Use a whole number from 1 to " + strconv.Itoa(MaxLimit) + ", or leave it out for " + strconv.Itoa(DefaultLimit) + "."

// ErrCursor refuses a cursor this API did not give out (or gave out for another list).
var ErrCursor = apperr.Fields(apperr.Field("cursor", "invalid", "Use the nextCursor of the previous page unchanged, or leave the cursor out for the first page."))

// FromQuery reads the page a request asks for from its query (cursor, limit).
func FromQuery(q url.Values) (Page, error) {
	p := Page{Cursor: strings.TrimSpace(q.Get("cursor")), Limit: DefaultLimit}
	var errs []apperr.FieldError
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > MaxLimit || raw != strconv.Itoa(n) {
			errs = append(errs, apperr.Field("limit", "range", MsgLimit))
		}
		p.Limit = n
	}
	if len(p.Cursor) > maxCursor {
		return Page{}, ErrCursor
	}
	if len(errs) > 0 {
		return Page{}, apperr.Fields(errs...)
	}
	return p, nil
}
