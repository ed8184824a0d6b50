package aisapi

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/piis"
)

// FuzzDecodeConsentRequest feeds the consent decoder and the consent rules any body: they
// answer a Berlin Group error or a consent request that passes the rules, never panic,
// and never an error of another kind.
func FuzzDecodeConsentRequest(f *testing.F) {
	for _, seed := range []string{
		`{"access":{"accounts":[{"iban":"BE71096123456769"}]},"recurringIndicator":true,"validUntil":"9999-12-31","frequencyPerDay":4,"combinedServiceIndicator":false}`,
		`{"access":{"accounts":[],"balances":[]},"recurringIndicator":false,"validUntil":"2026-12-31","frequencyPerDay":1,"combinedServiceIndicator":false}`,
		`{"access":{"allPsd2":"allAccountsWithOwnerName"}}`, `{"access":`, `[]`, `{"frequencyPerDay":"4"}`, `{"a":1}{}`, ``,
	} {
		f.Add(seed)
	}
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/v1/consents", strings.NewReader(body))
		var req consents.Request
		if err := decode(r, &req); err != nil {
			if _, ok := err.(*bgerror.Error); !ok {
				t.Fatalf("decode answered %T %v", err, err)
			}
			return
		}
		svc := &consents.Service{Store: accepting{}, Now: func() time.Time { return now }}
		if _, err := svc.Create(t.Context(), consents.Owner{AppID: "a"}, req, "", ""); err != nil {
			if _, ok := err.(*bgerror.Error); !ok {
				t.Fatalf("the rules answered %T %v", err, err)
			}
		}
	})
}

// FuzzDecodeFundsRequest feeds the funds-confirmation decoder and its rules any body.
func FuzzDecodeFundsRequest(f *testing.F) {
	for _, seed := range []string{
		`{"account":{"iban":"BE71096123456769"},"instructedAmount":{"currency":"EUR","amount":"125.50"}}`,
		`{"instructedAmount":{"currency":"EUR","amount":"-1"}}`, `{"instructedAmount":{"amount":"1.234"}}`, `{`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/v1/funds-confirmations", strings.NewReader(body))
		var req piis.FundsRequest
		if err := decode(r, &req); err != nil {
			if _, ok := err.(*bgerror.Error); !ok {
				t.Fatalf("decode answered %T %v", err, err)
			}
			return
		}
		// Without a consent ID the rules answer before any store is read.
		svc := &piis.Service{}
		if _, err := svc.Confirm(t.Context(), consents.Owner{AppID: "a"}, "", req, nil); err == nil {
			t.Fatal("confirmed funds without a consent")
		} else if _, ok := err.(*bgerror.Error); !ok {
			t.Fatalf("the rules answered %T %v", err, err)
		}
	})
}

// accepting is a consent store that takes every consent: the target tests the decoder
// and the rules, which answer before anything is stored.
type accepting struct{ consents.Store }

func (accepting) Create(context.Context, consents.Consent) error { return nil }
