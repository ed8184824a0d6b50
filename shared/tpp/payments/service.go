package payments

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/bank/devportal/shared/platform/notifylog"
	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/notify"
	"github.com/bank/devportal/shared/tpp/replay"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/tppdata"
)

// Owner is the app a request speaks for (from the caller check): only it sees its
// payments.
type Owner = tppdata.Owner

// Service applies the payment rules.
type Service struct {
	Store Store
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Notify builds the notifications of every status change (the TPP's status
	// notifications), stored with the change; nil tells nobody.
	Notify Notifier
}

// Notifier builds the notifications of a payment's status change (notify.Notifier).
type Notifier interface {
	Deliveries(ctx context.Context, c notify.Change) []notifylog.Delivery
}

// notes are the notifications of the change of p from status from, which the store
// writes in the change's own transaction: the one place where the payment rules tell of
// status changes.
func (s *Service) notes(ctx context.Context, p Payment, from Status) []notifylog.Delivery {
	if s.Notify == nil || p.Notification == nil || p.Status == from {
		return nil
	}
	c := notify.Change{Subscription: p.Notification, AppID: p.AppID, OrgID: p.OrgID, ResourceType: notify.PaymentResource,
		ResourceID: p.ID, Href: "/v1/" + string(p.Service) + "/" + string(p.Product) + "/" + p.ID,
		Attribute: notify.TransactionStatus, Status: string(p.Status),
		// A standing order in process runs on: its last status is its end.
		Final: p.Status.Final() && !(p.Service == Periodic && p.Status == InProcess)}
	if from == Received || from == PartiallyAuthed {
		// The customer's decision ends the authorisation.
		switch {
		case p.Status == Accepted || p.Status.Executed() || p.Status == PartiallyAuthed:
			c.SCAStatus = "finalised"
		case p.Status == Rejected && p.MultiLevel() && p.Reason != ReasonCustomer:
			// The last signature and the execution that rejected the payment are one
			// change: the authorisation was finalised all the same.
			c.SCAStatus = "finalised"
		case p.Status == Rejected && p.Reason == ReasonCustomer:
			c.SCAStatus = "failed"
		}
	}
	return s.Notify.Deliveries(ctx, c)
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// Refusals of the payment rules, with the statuses the Berlin Group gives them.
var (
	// ErrUnknown answers a payment that does not exist, is another app's, or is addressed
	// under another service or product than its own: all look the same.
	ErrUnknown = bgerror.New(http.StatusForbidden, "RESOURCE_UNKNOWN", "There is no payment of your app with this ID under this payment service and product.")
	// ErrRequestIDReused answers an X-Request-ID the app already sent with another
	// request. The Berlin Group defines no code of its own for it; the X-Request-ID header
	// is then malformed for its purpose (identifying one request), which is a
	// FORMAT_ERROR naming the header, in a 400 every TPP handles (the IETF draft's 422 is
	// not among the answers the specification gives this endpoint).
	ErrRequestIDReused = bgerror.FormatError(bgerror.Field("X-Request-ID", "Your app already sent this X-Request-ID with another request: send a new X-Request-ID for a new payment."))
	// ErrCancellationInvalid answers the cancellation of a payment that was executed,
	// rejected or cancelled already.
	ErrCancellationInvalid = bgerror.New(http.StatusMethodNotAllowed, "CANCELLATION_INVALID", "The payment can no longer be cancelled: it was executed, rejected or cancelled.")
	// ErrConcurrent answers a change that lost to another one.
	ErrConcurrent = bgerror.New(http.StatusConflict, "STATUS_INVALID", "The payment changed at the same time: read it again.")
	// ErrNotGrantable is an authorisation by a customer who does not hold the debtor
	// account.
	ErrNotGrantable = errors.New("payments: the customer does not hold the debtor account")
	// ErrMultiLevelInBasket is a signing basket's approval of a payment that needs several
	// signatories: each of them signs it on its own (multi-level SCA).
	ErrMultiLevelInBasket = errors.New("payments: a payment that needs several signatories is not signed in a basket")
	// ErrNotSignatory is an authorisation of a payment that needs several signatories by
	// a customer who is not one of the debtor account's: refused, the payment unchanged.
	ErrNotSignatory = errors.New("payments: the customer is not a signatory of the debtor account")
	// ErrAlreadySigned is a second authorisation by the same signatory of a payment that
	// needs several distinct ones: refused, the payment unchanged.
	ErrAlreadySigned = errors.New("payments: the customer already authorised this payment")
)

// errStatus refuses a step the payment's status does not allow.
func errStatus(st Status) error {
	return bgerror.New(http.StatusConflict, "STATUS_INVALID", fmt.Sprintf("The payment is %s: this step is not possible any more.", st))
}

// Initiated is the answer to an initiation: the payment, the status the first answer
// gave, and whether this request repeated an earlier one.
type Initiated struct {
	Payment Payment
	Status  Status
	Replay  bool
}

// Initiate stores a new payment of o, received and waiting for the customer, once the
// body passes the rules. The same X-Request-ID sent again by the same app with the same
// request is answered as the first time (the payment made then), even on a later day when
// the rules would refuse the request now (an execution date that was today then); with
// another request it is refused. The payment and the record of its X-Request-ID are stored
// together, under the condition that the X-Request-ID is new, so concurrent duplicates
// make one payment.
func (s *Service) Initiate(ctx context.Context, o Owner, requestID string, service PaymentService, product Product, body []byte, redirectURI, nokRedirectURI string) (Initiated, error) {
	return s.InitiateNotified(ctx, o, requestID, service, product, body, redirectURI, nokRedirectURI, nil)
}

// InitiateNotified is Initiate of a payment whose status changes are sent to sub (nil:
// to nobody). A repeated request is answered with the first payment, whose subscription
// is the first request's.
func (s *Service) InitiateNotified(ctx context.Context, o Owner, requestID string, service PaymentService, product Product, body []byte, redirectURI, nokRedirectURI string, sub *notify.Subscription) (Initiated, error) {
	now := s.now()
	req, err := parse(service, product, body)
	if err != nil {
		return Initiated{}, err
	}
	again := s.replayOf(o, requestID, replay.Hash(req))
	if refused := req.check(now); refused != nil {
		return again.Refused(ctx, refused)
	}
	p := Payment{ID: newID(), AppID: o.AppID, OrgID: o.OrgID, Environment: o.Environment, Service: service, Product: product,
		Transfer: req.Transfer, Standing: req.Standing, Batch: req.Batch, Status: Received, CreatedAt: now, ChangedAt: now,
		RequestID: requestID, RedirectURI: redirectURI, NokRedirectURI: nokRedirectURI, Notification: sub}
	if p.RequiredSignatures, err = s.requiredSignatures(ctx, p); err != nil {
		return Initiated{}, err
	}
	err = s.Store.Create(ctx, p, Replay{PaymentID: p.ID, Hash: again.Hash, Status: p.Status})
	if err == nil {
		return Initiated{Payment: p, Status: p.Status}, nil
	}
	if !errors.Is(err, ErrRequestIDTaken) {
		return Initiated{}, err
	}
	return again.Taken(ctx)
}

// replayOf is the initiation by o under requestID of the request of hash (its service,
// product and body as decoded): the first answer is the payment o first made with that
// request under requestID, with the status that answer gave.
func (s *Service) replayOf(o Owner, requestID, hash string) replay.Creation[Initiated] {
	return replay.Creation[Initiated]{Hash: hash, Reused: ErrRequestIDReused,
		First: func(ctx context.Context) (string, func(context.Context) (Initiated, error), bool, error) {
			r, err := s.Store.Replay(ctx, o.AppID, requestID)
			switch {
			case errors.Is(err, ErrNotFound):
				return "", nil, false, nil
			case err != nil:
				return "", nil, false, err
			}
			return r.Hash, func(ctx context.Context) (Initiated, error) {
				p, err := s.Store.Get(ctx, r.PaymentID)
				return Initiated{Payment: p, Status: r.Status, Replay: true}, err
			}, true, nil
		}}
}

// Get is o's payment id, addressed under service and product.
func (s *Service) Get(ctx context.Context, o Owner, service PaymentService, product Product, id string) (Payment, error) {
	p, err := s.Store.Get(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return Payment{}, ErrUnknown
	case err != nil:
		return Payment{}, err
	case p.AppID != o.AppID || p.Service != service || p.Product != product:
		return Payment{}, ErrUnknown
	}
	return p, nil
}

// Cancel cancels o's payment id at the TPP's request (DELETE) while it is not executed:
// an executed, rejected or cancelled payment refuses with CANCELLATION_INVALID. The change
// is conditional on the status read, so a cancellation never undoes an execution that
// came first.
func (s *Service) Cancel(ctx context.Context, o Owner, service PaymentService, product Product, id string) (Payment, error) {
	for attempt := 0; attempt < 3; attempt++ {
		p, err := s.Get(ctx, o, service, product, id)
		if err != nil {
			return Payment{}, err
		}
		if !p.Status.Cancellable() {
			return Payment{}, ErrCancellationInvalid
		}
		from := p.Status
		p.Status, p.ChangedAt = Cancelled, s.now()
		switch err := s.Store.Replace(ctx, p, from, s.notes(ctx, p, from)...); {
		case err == nil:
			return p, nil
		case !errors.Is(err, ErrChanged):
			return Payment{}, err
		}
	}
	return Payment{}, ErrConcurrent
}

// Find is payment id for the bank's side (the authorization server, the sandbox bank's
// pages), whatever app made it: they check the app themselves.
func (s *Service) Find(ctx context.Context, id string) (Payment, error) {
	return s.Store.Get(ctx, id)
}

// requiredSignatures is how many signatories the debtor account of a new payment p
// needs: 0 when it needs one, or is not this bank's.
func (s *Service) requiredSignatures(ctx context.Context, p Payment) (int, error) {
	a, err := s.debtor(ctx, p)
	switch {
	case errors.Is(err, ErrNotFound):
		return 0, nil
	case err != nil:
		return 0, err
	case a.Signatures() > 1:
		return a.Signatures(), nil
	}
	return 0, nil
}

// debtor is this bank's account p is paid from, as its debtor account names it: in the
// currency it names, else in the payment's (ErrNotFound for none).
func (s *Service) debtor(ctx context.Context, p Payment) (sandboxbank.Account, error) {
	ref := p.DebtorAccount()
	currency := ref.Currency
	if ts := p.Transfers(); currency == "" && len(ts) > 0 {
		currency = ts[0].InstructedAmount.Currency
	}
	if ref.IBAN == "" || currency == "" {
		return sandboxbank.Account{}, ErrNotFound
	}
	return s.Store.Account(ctx, ref.IBAN, currency)
}

// Authorise records the customer's approval (SCA) of a received payment from an account
// of theirs (theirs: the customer's accounts): the payment is accepted (ACTC), and one to
// be executed now is executed. A customer who does not hold the debtor account cannot
// approve it (ErrNotGrantable). A payment that needs several signatories (MultiLevel)
// takes one signature from each of them: its owner (the debtor account is theirs) or a
// co-signer of the account; all but the last leave it PATC, and the last accepts it and
// executes it when due in one conditional write (Sign). The same signatory twice
// (ErrAlreadySigned) and a customer who is no signatory (ErrNotSignatory) are refused
// and change nothing.
func (s *Service) Authorise(ctx context.Context, id, subject string, theirs []sandboxbank.Account) (Payment, error) {
	p, err := s.Find(ctx, id)
	if err != nil {
		return Payment{}, err
	}
	if p.MultiLevel() {
		return s.authoriseSigned(ctx, p, subject, theirs)
	}
	p, notes, due, err := s.approval(ctx, p, subject, theirs)
	if err != nil {
		return Payment{}, err
	}
	if err := s.Store.Replace(ctx, p, Received, notes...); errors.Is(err, ErrChanged) {
		return Payment{}, ErrConcurrent
	} else if err != nil {
		return Payment{}, err
	}
	if !due {
		return p, nil
	}
	return s.Execute(ctx, id)
}

// signAttempts bounds how often a signature is tried again after another change of the
// payment came first (another signatory's, at the same moment).
const signAttempts = 3

// authoriseSigned adds subject's signature to p, a payment that needs several.
func (s *Service) authoriseSigned(ctx context.Context, p Payment, subject string, theirs []sandboxbank.Account) (Payment, error) {
	for attempt := 0; ; attempt++ {
		if p.Status != Received && p.Status != PartiallyAuthed {
			return Payment{}, errStatus(p.Status)
		}
		debtor, err := s.signable(ctx, p, subject, theirs)
		if err != nil {
			return Payment{}, err
		}
		if p.SignedBy(subject) {
			// The same step again (its authorisation's write failed after the payment's)
			// is answered as the first time.
			if id := notify.AuthorisationOf(ctx); id != "" && slices.ContainsFunc(p.Signatures, func(sig Signature) bool {
				return sig.CustomerID == subject && sig.AuthorisationID == id
			}) {
				return p, nil
			}
			return Payment{}, ErrAlreadySigned
		}
		signed, err := s.sign(ctx, p, subject, debtor)
		if !errors.Is(err, ErrChanged) {
			return signed, err
		}
		if attempt+1 == signAttempts {
			return Payment{}, ErrConcurrent
		}
		if p, err = s.Find(ctx, p.ID); err != nil {
			return Payment{}, err
		}
	}
}

// signable is the account p is paid from if subject may sign for it: one of theirs, or
// one whose signatories name them; ErrNotSignatory otherwise.
func (s *Service) signable(ctx context.Context, p Payment, subject string, theirs []sandboxbank.Account) (sandboxbank.Account, error) {
	if a, ok := debtorAccount(p, theirs); ok {
		return a, nil
	}
	a, err := s.debtor(ctx, p)
	switch {
	case errors.Is(err, ErrNotFound):
		return a, ErrNotSignatory
	case err != nil:
		return a, err
	case !a.Signs(subject):
		return a, ErrNotSignatory
	}
	return a, nil
}

// CanSign says whether subject (holding the accounts theirs) may add a signature to p, a
// payment that needs several, as Authorise decides: ErrAlreadySigned, ErrNotSignatory or
// the status refusal when not. Any customer may try a payment that needs one.
func (s *Service) CanSign(ctx context.Context, p Payment, subject string, theirs []sandboxbank.Account) error {
	if !p.MultiLevel() {
		return nil
	}
	if p.Status != Received && p.Status != PartiallyAuthed {
		return errStatus(p.Status)
	}
	if _, err := s.signable(ctx, p, subject, theirs); err != nil {
		return err
	}
	if p.SignedBy(subject) {
		return ErrAlreadySigned
	}
	return nil
}

// sign stores subject's signature of p, from debtor: PATC while signatures are missing;
// the last one accepts the payment and, when it is due, executes it, in the same
// conditional write as the signature, so concurrent last signatures execute it once.
func (s *Service) sign(ctx context.Context, p Payment, subject string, debtor sandboxbank.Account) (Payment, error) {
	from, now := p.Status, s.now()
	next := p
	next.Signatures = append(slices.Clone(p.Signatures), Signature{CustomerID: subject, AuthorisationID: notify.AuthorisationOf(ctx), At: now})
	next.DebtorAccountID, next.DebtorCurrency, next.ChangedAt = debtor.ResourceID, debtor.Currency, now
	var bookings []sandboxbank.Booking
	switch {
	case len(next.Signatures) < p.RequiredSignatures:
		next.Status = PartiallyAuthed
	default:
		next.Status, next.Subject = Accepted, subject
		if s.due(next) {
			ex, err := Plan(next, now, func(iban, currency string) (string, error) {
				id, err := s.Store.BankAccount(ctx, iban, currency)
				if errors.Is(err, ErrNotFound) {
					return "", nil
				}
				return id, err
			})
			if err != nil {
				return Payment{}, err
			}
			next.Status, next.Reason, next.RejectedEntries, bookings = ex.Status, ex.Reason, ex.Rejected, ex.Bookings
		}
	}
	err := s.Store.Sign(ctx, next, from, bookings, s.notes(ctx, next, from)...)
	if errors.Is(err, sandboxbank.ErrOverdraft) {
		next.Status, next.Reason, next.RejectedEntries = Rejected, ReasonInsufficientFunds, nil
		err = s.Store.Sign(ctx, next, from, nil, s.notes(ctx, next, from)...)
	}
	if err != nil {
		return Payment{}, err
	}
	return next, nil
}

// Approval is Authorise without its write and execution, for a signing basket that
// writes every member's approval in one transaction: the payment accepted (ACTC) as
// Authorise would store it (over the stored one, RCVD), the notifications of the change,
// and whether it is due for execution now (Execute, once the approval is stored). A
// payment that needs several signatories is signed by each on its own, never in a
// basket (ErrMultiLevelInBasket).
func (s *Service) Approval(ctx context.Context, id, subject string, theirs []sandboxbank.Account) (p Payment, notes []notifylog.Delivery, due bool, err error) {
	p, err = s.Find(ctx, id)
	if err != nil {
		return Payment{}, nil, false, err
	}
	if p.MultiLevel() {
		return Payment{}, nil, false, ErrMultiLevelInBasket
	}
	return s.approval(ctx, p, subject, theirs)
}

// approval is p, a payment that needs one signature, accepted by subject (holding the
// accounts theirs), with the notifications of the change and whether it is due now.
func (s *Service) approval(ctx context.Context, p Payment, subject string, theirs []sandboxbank.Account) (Payment, []notifylog.Delivery, bool, error) {
	if p.Status != Received {
		return Payment{}, nil, false, errStatus(p.Status)
	}
	debtor, ok := debtorAccount(p, theirs)
	if !ok {
		return Payment{}, nil, false, ErrNotGrantable
	}
	p.Status, p.ChangedAt, p.Subject, p.DebtorAccountID, p.DebtorCurrency = Accepted, s.now(), subject, debtor.ResourceID, debtor.Currency
	return p, s.notes(ctx, p, Received), s.due(p), nil
}

// due says whether an accepted payment is to be executed now: a single or bulk payment
// with no execution day after today. A periodic payment runs on its schedule.
func (s *Service) due(p Payment) bool {
	if p.Service == Periodic {
		return false
	}
	d := p.ExecutionDate()
	return d == "" || d <= s.now().Format(time.DateOnly)
}

// debtorAccount is the account of theirs the payment names: its IBAN, in its currency
// when it names one, else the one in the payment's currency, else the first that holds
// money.
func debtorAccount(p Payment, theirs []sandboxbank.Account) (sandboxbank.Account, bool) {
	ref := p.DebtorAccount()
	currency := ref.Currency
	var first *sandboxbank.Account
	for i, a := range theirs {
		if a.IBAN != ref.IBAN || !a.HoldsMoney() {
			continue
		}
		if currency != "" && a.Currency != currency {
			continue
		}
		if ts := p.Transfers(); currency == "" && len(ts) > 0 && a.Currency == ts[0].InstructedAmount.Currency {
			return a, true
		}
		if first == nil {
			first = &theirs[i]
		}
	}
	if first == nil {
		return sandboxbank.Account{}, false
	}
	return *first, true
}

// Reject records that the customer refused a received payment, or that its
// authorisation failed: rejected (MS02).
func (s *Service) Reject(ctx context.Context, id string) error {
	p, err := s.Find(ctx, id)
	if err != nil {
		return err
	}
	// A payment that still lacks signatures is rejected as one that lacks its only one:
	// the Berlin Group rejects a payment whose multi-level SCA was not completed.
	from := p.Status
	if from != Received && from != PartiallyAuthed {
		return errStatus(p.Status)
	}
	p.Status, p.Reason, p.ChangedAt = Rejected, ReasonCustomer, s.now()
	if err := s.Store.Replace(ctx, p, from, s.notes(ctx, p, from)...); errors.Is(err, ErrChanged) {
		return ErrConcurrent
	} else if err != nil {
		return err
	}
	return nil
}

// Execute executes an accepted payment as Plan decides: its new status and its bookings
// in the ledger are stored in one transaction conditional on the payment being still
// accepted, so a payment is executed once however often and concurrently this runs (a
// second run answers STATUS_INVALID). A debit the account cannot cover rejects the
// payment (AM04) and moves no money.
func (s *Service) Execute(ctx context.Context, id string) (Payment, error) {
	p, err := s.Find(ctx, id)
	if err != nil {
		return Payment{}, err
	}
	if p.Status != Accepted {
		return Payment{}, errStatus(p.Status)
	}
	now := s.now()
	ex, err := Plan(p, now, func(iban, currency string) (string, error) {
		id, err := s.Store.BankAccount(ctx, iban, currency)
		if errors.Is(err, ErrNotFound) {
			return "", nil
		}
		return id, err
	})
	if err != nil {
		return Payment{}, err
	}
	done := p
	done.Status, done.Reason, done.RejectedEntries, done.ChangedAt = ex.Status, ex.Reason, ex.Rejected, now
	if len(ex.Bookings) == 0 {
		err = s.Store.Replace(ctx, done, Accepted, s.notes(ctx, done, Accepted)...)
	} else {
		err = s.Store.Execute(ctx, done, Accepted, ex.Bookings, s.notes(ctx, done, Accepted)...)
	}
	switch {
	case err == nil:
		return done, nil
	case errors.Is(err, ErrChanged):
		return Payment{}, ErrConcurrent
	case errors.Is(err, sandboxbank.ErrOverdraft):
		rejected := p
		rejected.Status, rejected.Reason, rejected.ChangedAt = Rejected, ReasonInsufficientFunds, now
		if err := s.Store.Replace(ctx, rejected, Accepted, s.notes(ctx, rejected, Accepted)...); errors.Is(err, ErrChanged) {
			return Payment{}, ErrConcurrent
		} else if err != nil {
			return Payment{}, err
		}
		return rejected, nil
	}
	return Payment{}, err
}

// newID is a payment ID: 128 random bits, base64url.
func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// CanAuthorise says whether a customer who holds the accounts theirs can authorise p, as
// Authorise decides: they hold its debtor account.
func CanAuthorise(p Payment, theirs []sandboxbank.Account) bool {
	_, ok := debtorAccount(p, theirs)
	return ok
}
