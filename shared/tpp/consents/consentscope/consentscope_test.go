package consentscope_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/consents/consentdb"
	"github.com/bank/devportal/shared/tpp/consents/consentscope"
	"github.com/bank/devportal/shared/tpp/oauth"
	"github.com/bank/devportal/shared/tpp/piis"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestConsentScopes: the authorization server finds a received consent by its scope, the
// customer's approval makes it valid for the accounts they chose, and a decided consent,
// or any other kind of scope, names nothing.
func TestConsentScopes(t *testing.T) {
	ctx := context.Background()
	c, db, bank := testenv.SandboxBank(t)
	today, _ := time.Parse(time.DateOnly, bank.Date)
	svc := &consents.Service{Store: consentdb.New(db, c.TPPTable), Now: func() time.Time { return today }}
	store := bankstore.New(db, c.TPPTable)
	funds := &piis.Service{Store: consentdb.NewPIIS(db, c.TPPTable), Bank: store}
	r := consentscope.Resources{Consents: svc, Funds: funds, Bank: store}
	psu := bank.Customers[0]
	var chosen, iban string
	for _, a := range bank.Accounts {
		if a.CustomerID == psu.ID && a.Kind == sandboxbank.Current {
			chosen, iban = a.ResourceID, a.IBAN
			break
		}
	}
	yes, one := true, 1
	bankOffered := consents.Request{Access: &consents.Access{Accounts: []consents.AccountReference{}, Transactions: []consents.AccountReference{}},
		RecurringIndicator: &yes, ValidUntil: consents.LongestValidUntil, FrequencyPerDay: &one, CombinedServiceIndicator: new(bool)}
	made, err := svc.Create(ctx, consents.Owner{AppID: "bb-app", OrgID: "bb"}, bankOffered, "", "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Find(ctx, "AIS", made.ID)
	want := oauth.Resource{Kind: "AIS", ID: made.ID, AppID: "bb-app", ChoosesAccounts: true,
		Summary: "See the details, transactions of the accounts you choose below, until " + made.ValidUntil + ", up to 1 times a day without you."}
	if err != nil || res != want {
		t.Fatalf("find: %+v %v", res, err)
	}
	for _, c := range []struct{ kind, id string }{{"AIS", "nothing"}, {"PIS", made.ID}, {"PIIS", made.ID}, {"PIIS", "nothing"}} {
		if _, err := r.Find(ctx, c.kind, c.id); !errors.Is(err, oauth.ErrUnknownResource) {
			t.Errorf("find %s:%s: %v", c.kind, c.id, err)
		}
	}
	if err := r.Approved(ctx, res, psu.ID, []string{chosen}); err != nil {
		t.Fatal(err)
	}
	got, _ := svc.Find(ctx, made.ID)
	if got.Status != consents.Valid || got.Grant.Subject != psu.ID || len(got.Grant.Transactions) != 1 || got.Grant.Transactions[0] != chosen {
		t.Fatalf("approved consent %+v %+v", got, got.Grant)
	}
	if _, err := r.Find(ctx, "AIS", made.ID); !errors.Is(err, oauth.ErrUnknownResource) {
		t.Fatalf("a decided consent is found again: %v", err)
	}

	// A consent the customer refuses is rejected; one naming an account they do not hold
	// cannot be granted, and is rejected too.
	refused, _ := svc.Create(ctx, consents.Owner{AppID: "bb-app", OrgID: "bb"}, bankOffered, "", "")
	if err := r.Refused(ctx, oauth.Resource{Kind: "AIS", ID: refused.ID, AppID: "bb-app"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.Find(ctx, refused.ID); got.Status != consents.Rejected {
		t.Fatalf("refused consent: %s", got.Status)
	}
	foreign := bankOffered
	foreign.Access = &consents.Access{Accounts: []consents.AccountReference{{IBAN: "BE43068999999501"}}}
	other, _ := svc.Create(ctx, consents.Owner{AppID: "bb-app", OrgID: "bb"}, foreign, "", "")
	if err := r.Approved(ctx, oauth.Resource{Kind: "AIS", ID: other.ID, AppID: "bb-app"}, psu.ID, nil); !errors.Is(err, oauth.ErrCannotGrant) {
		t.Fatalf("approving a consent for an account the customer does not hold: %v", err)
	}
	if got, _ := svc.Find(ctx, other.ID); got.Status != consents.Rejected {
		t.Fatalf("ungrantable consent: %s", got.Status)
	}

	// A card issuer's confirmation-of-funds consent, named by PIIS:<consentId>.
	fc, err := funds.Create(ctx, consents.Owner{AppID: "card-app", OrgID: "card"}, piis.Request{Account: &consents.AccountReference{IBAN: iban}})
	if err != nil {
		t.Fatal(err)
	}
	res, err = r.Find(ctx, "PIIS", fc.ID)
	if want := (oauth.Resource{Kind: "PIIS", ID: fc.ID, AppID: "card-app", Summary: "Let the card issuer check whether account " + iban +
		" holds enough money for a payment (yes or no, nothing more)."}); err != nil || res != want {
		t.Fatalf("find PIIS: %+v %v", res, err)
	}
	if err := r.Approved(ctx, res, psu.ID, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := funds.Find(ctx, fc.ID); got.Status != consents.Valid || got.AccountID != chosen {
		t.Fatalf("approved funds consent %+v", got)
	}
}
