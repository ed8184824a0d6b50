package paging_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/paging"
)

func TestFromQuery(t *testing.T) {
	tests := []struct {
		query   string
		want    paging.Page
		wantErr string // field:rule
	}{
		{"", paging.Page{Limit: 50}, ""},
		{"limit=1", paging.Page{Limit: 1}, ""},
		{"limit=100&cursor=abc", paging.Page{Cursor: "abc", Limit: 100}, ""},
		{"limit=0", paging.Page{}, "limit:range"},
		{"limit=101", paging.Page{}, "limit:range"},
		{"limit=-5", paging.Page{}, "limit:range"},
		{"limit=07", paging.Page{}, "limit:range"},
		{"limit=ten", paging.Page{}, "limit:range"},
		{"cursor=" + strings.Repeat("a", 1025), paging.Page{}, "cursor:invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			got, err := paging.FromQuery(q)
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Fatalf("FromQuery(%q) = %+v, %v; want %+v", tt.query, got, err, tt.want)
				}
				return
			}
			var e *apperr.Error
			if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field+":"+e.Fields[0].Rule != tt.wantErr {
				t.Fatalf("FromQuery(%q) error = %v, want the field error %s", tt.query, err, tt.wantErr)
			}
		})
	}
}
