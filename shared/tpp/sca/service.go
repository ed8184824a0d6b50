package sca

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/notify"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/tppdata"
)

// Owner is the app a request speaks for (from the caller check).
type Owner = tppdata.Owner

// Customers finds the bank's customers by sign-in name (sandboxbank.Store).
type Customers interface {
	CustomerByLogin(ctx context.Context, login string) (sandboxbank.Customer, error)
}

// Service applies the authorisation rules.
type Service struct {
	Store Store
	// Targets decide each kind of resource.
	Targets   map[Kind]Target
	Customers Customers
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *Service) target(kind Kind) (Target, error) {
	t, ok := s.Targets[kind]
	if !ok {
		return nil, fmt.Errorf("sca: no target for the kind %q", kind)
	}
	return t, nil
}

// Start is a TPP's request to start an authorisation of its resource.
type Start struct {
	Kind        Kind
	ResourceID  string
	Owner       Owner
	Preferences Preferences
	// PSUID is the PSU-ID header, "" for none.
	PSUID string
	// Password is psuData.password of the body, nil for none.
	Password *string
	// RedirectURI and NokRedirectURI are the headers, "" for none: the resource's own
	// then count.
	RedirectURI, NokRedirectURI string
}

// Update is a TPP's update of an authorisation (PUT): the PSU-ID header and the body's
// psuData.password, authenticationMethodId or scaAuthenticationData, nil where absent.
type Update struct {
	PSUID    string
	Password *string
	MethodID *string
	OTP      *string
}

// empty says whether the update's body carries nothing.
func (u Update) empty() bool { return u.Password == nil && u.MethodID == nil && u.OTP == nil }

// Step is an authorisation after a step, with what the answer tells the TPP: the methods
// to choose from, the one chosen and its challenge, a message for the customer.
type Step struct {
	Authorisation
	Methods   []Method
	Chosen    *Method
	Challenge *Challenge
	Message   string
}

// Messages for the customer.
const (
	msgDecoupled = "Open the Sandbox Bank app (the bank's page /sandbox-bank/app) to approve or deny."
	msgNotTheirs = "The customer cannot authorise this resource (it is not theirs): it was refused."
)

// Start starts an authorisation of o's resource, in the approach its preferences choose,
// if the resource waits for one. An embedded start may carry the PSU-ID and password, a
// decoupled one the PSU-ID: a wrong one is refused and nothing is stored.
func (s *Service) Start(ctx context.Context, st Start) (Step, error) {
	t, err := s.target(st.Kind)
	if err != nil {
		return Step{}, err
	}
	res, err := t.Find(ctx, st.ResourceID)
	switch {
	case errors.Is(err, ErrNotFound):
		return Step{}, ErrUnknown
	case err != nil:
		return Step{}, err
	case res.AppID != st.Owner.AppID:
		return Step{}, ErrUnknown
	case !res.Waiting:
		return Step{}, errNotWaiting(st.Kind, res.Status)
	case res.Basket != "" && st.Kind != SigningBasket:
		return Step{}, errInBasket(st.Kind, res.Basket)
	}
	now := s.now()
	approach := ApproachOf(st.Kind, st.Preferences)
	a := Authorisation{ID: newID(), Kind: st.Kind, ResourceID: res.ID, AppID: res.AppID, OrgID: res.OrgID, Approach: approach,
		Status: Received, RedirectURI: or(st.RedirectURI, res.RedirectURI), NokRedirectURI: or(st.NokRedirectURI, res.NokRedirectURI),
		CreatedAt: now, ChangedAt: now, ExpiresAt: now.Add(Lifespan)}
	step := Step{}
	if approach != Embedded && st.Password != nil {
		return Step{}, bgerror.FormatError(bgerror.Field("psuData", fmt.Sprintf("The %s approach takes no password: the customer authenticates at the bank.", approach.Header())))
	}
	switch approach {
	case Redirect:
		for _, c := range [][2]string{{"TPP-Redirect-URI", a.RedirectURI}, {"TPP-Nok-Redirect-URI", a.NokRedirectURI}} {
			if err := checkRedirectURI(c[0], c[1]); err != nil {
				return Step{}, err
			}
		}
		if a.RedirectURI == "" && st.Preferences.RedirectRequired() {
			return Step{}, bgerror.FormatError(bgerror.Field("TPP-Redirect-URI", "The redirect approach needs the address the bank sends the customer back to."))
		}
	case Decoupled:
		if st.PSUID != "" {
			c, err := s.customer(ctx, st.PSUID)
			if err != nil {
				return Step{}, err
			}
			if err := canSign(ctx, t, res.ID, c.ID); err != nil {
				return Step{}, err
			}
			a.PSUID, a.CustomerID, a.Status = st.PSUID, c.ID, Started
			step.Message = msgDecoupled
		}
	case Embedded:
		if st.PSUID != "" {
			c, err := s.customer(ctx, st.PSUID)
			if err != nil {
				return Step{}, err
			}
			if err := canSign(ctx, t, res.ID, c.ID); err != nil {
				return Step{}, err
			}
			a.PSUID, a.CustomerID, a.Status = st.PSUID, c.ID, PSUIdentified
			if st.Password != nil {
				if !c.CheckCredentials(*st.Password, c.OTP) {
					return Step{}, errCredentials("password", MaxFailedAttempts)
				}
				a.Status, step.Methods = PSUAuthenticated, Methods
			}
		} else if st.Password != nil {
			return Step{}, errPSUID
		}
	}
	if err := s.Store.Create(ctx, a); err != nil {
		return Step{}, err
	}
	step.Authorisation = a
	return step, nil
}

// canSign refuses customer customerID where t's resource id needs several customers'
// authorisations and theirs cannot be one of them.
func canSign(ctx context.Context, t Target, id, customerID string) error {
	if sig, ok := t.(Signatories); ok {
		return sig.CanSign(ctx, id, customerID)
	}
	return nil
}

// customer is the customer whose sign-in name psuID is: errUnknownPSU for none.
func (s *Service) customer(ctx context.Context, psuID string) (sandboxbank.Customer, error) {
	c, err := s.Customers.CustomerByLogin(ctx, psuID)
	if errors.Is(err, sandboxbank.ErrCustomerUnknown) {
		return c, errUnknownPSU
	}
	return c, err
}

// List is the authorisations of o's resource, oldest first.
func (s *Service) List(ctx context.Context, o Owner, kind Kind, resourceID string) ([]Authorisation, error) {
	list, err := s.Store.List(ctx, kind, resourceID)
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, a := range list {
		if a.AppID == o.AppID {
			out = append(out, a)
		}
	}
	return out, nil
}

// Status is o's authorisation ref with its scaStatus of now: one that timed out fails
// now (and its resource with it); an OAuth2 one reports its resource's approval; one whose
// resource was decided otherwise reads failed.
func (s *Service) Status(ctx context.Context, o Owner, ref Ref) (Authorisation, error) {
	a, res, err := s.owned(ctx, o, ref)
	if err != nil {
		return a, err
	}
	a.Status = view(a, res)
	if a.Approach == OAuth && !a.Status.Final() && res.OAuthApprovals > 0 {
		// The OAuth2 approvals of a resource that waits for more name no authorisation:
		// they finalise the resource's OAuth2 authorisations oldest first.
		list, err := s.Store.List(ctx, a.Kind, a.ResourceID)
		if err != nil {
			return a, err
		}
		older := 0
		for _, b := range list {
			if b.ID == a.ID {
				break
			}
			if b.Approach == OAuth {
				older++
			}
		}
		if older < res.OAuthApprovals {
			a.Status = Finalised
		}
	}
	return a, nil
}

// view is the status a shows, its resource being res.
func view(a Authorisation, res Resource) Status {
	switch {
	case a.Status.Final():
		return a.Status
	case a.Approach == OAuth && res.Approved:
		return Finalised
	case !res.Waiting:
		return Failed
	}
	return a.Status
}

// owned is o's authorisation ref, settled (a time-out applied), with its resource.
func (s *Service) owned(ctx context.Context, o Owner, ref Ref) (Authorisation, Resource, error) {
	a, res, err := s.open(ctx, ref)
	if err == nil && a.AppID != o.AppID {
		return Authorisation{}, Resource{}, ErrUnknown
	}
	return a, res, err
}

// open is authorisation ref, settled, with its resource, whatever its app.
func (s *Service) open(ctx context.Context, ref Ref) (Authorisation, Resource, error) {
	t, err := s.target(ref.Kind)
	if err != nil {
		return Authorisation{}, Resource{}, ErrUnknown
	}
	for attempt := 0; attempt < 3; attempt++ {
		a, err := s.Store.Get(ctx, ref)
		switch {
		case errors.Is(err, ErrNotFound):
			return a, Resource{}, ErrUnknown
		case err != nil:
			return a, Resource{}, err
		}
		res, err := t.Find(ctx, a.ResourceID)
		if err != nil {
			return a, res, err
		}
		if !a.expired(s.now()) {
			return a, res, nil
		}
		failed, err := s.fail(ctx, t, a, res)
		if errors.Is(err, ErrConcurrent) {
			continue // another step came first: read it again
		}
		if err == nil {
			res, err = t.Find(ctx, a.ResourceID)
		}
		return failed, res, err
	}
	return Authorisation{}, Resource{}, ErrConcurrent
}

// write stores next, a changed copy of the authorisation read at version from.
func (s *Service) write(ctx context.Context, next Authorisation, from int) (Authorisation, error) {
	next.Version, next.ChangedAt = from+1, s.now()
	switch err := s.Store.Replace(ctx, next, from); {
	case errors.Is(err, ErrChanged):
		return Authorisation{}, ErrConcurrent
	case err != nil:
		return Authorisation{}, err
	}
	return next, nil
}

// fail records that a failed (a time-out, wrong credentials, the customer's refusal) and
// fails its resource if it still waits.
func (s *Service) fail(ctx context.Context, t Target, a Authorisation, res Resource) (Authorisation, error) {
	next := a
	next.Status = Failed
	failed, err := s.write(ctx, next, a.Version)
	if err != nil {
		return failed, err
	}
	ctx = notify.WithAuthorisation(ctx, a.ID)
	if res.Waiting {
		if err := t.Fail(ctx, a.ResourceID); err != nil && !errors.Is(err, ErrDecided) {
			return failed, err
		}
	}
	return failed, nil
}

// finalise authorises a's resource as customerID, then records a finalised. The
// resource's own conditional change makes the authorisation (and a payment's execution)
// happen once, whichever authorisation or approval comes first. A customer who cannot
// authorise the resource fails the authorisation (the target refused the resource).
func (s *Service) finalise(ctx context.Context, t Target, a Authorisation, customerID string) (Step, error) {
	if a.Kind != SigningBasket {
		// An authorisation that raced its resource into a basket: the basket holds it
		// now, and nothing changes.
		res, err := t.Find(ctx, a.ResourceID)
		switch {
		case err != nil:
			return Step{}, err
		case res.Basket != "":
			return Step{}, errInBasket(a.Kind, res.Basket)
		}
	}
	err := t.Authorise(notify.WithAuthorisation(ctx, a.ID), a.ResourceID, customerID)
	switch {
	case errors.Is(err, ErrAlreadySigned) || errors.Is(err, ErrNotSignatory):
		// The resource waits as before. An authorisation bound to this customer (embedded,
		// decoupled) can never succeed, so it fails; on the bank's redirect page another
		// signatory may still sign in and decide it.
		if a.Approach == Embedded || a.Approach == Decoupled {
			next := a
			next.Status, next.CustomerID = Failed, customerID
			if _, werr := s.write(ctx, next, a.Version); werr != nil {
				return Step{}, werr
			}
		}
		return Step{}, err
	case errors.Is(err, ErrNotGrantable):
		next := a
		next.Status, next.CustomerID = Failed, customerID
		failed, err := s.write(ctx, next, a.Version)
		return Step{Authorisation: failed, Message: msgNotTheirs}, err
	case errors.Is(err, ErrDecided):
		// The resource was decided meanwhile: by this customer through this very
		// authorisation (a step retried after its write failed), or otherwise.
		res, ferr := t.Find(ctx, a.ResourceID)
		if ferr != nil {
			return Step{}, ferr
		}
		if !res.Approved || res.Subject != customerID {
			next := a
			next.Status = Failed
			if _, err := s.write(ctx, next, a.Version); err != nil {
				return Step{}, err
			}
			return Step{}, errNotWaiting(a.Kind, res.Status)
		}
	case err != nil:
		return Step{}, err
	}
	next := a
	next.Status, next.CustomerID = Finalised, customerID
	done, err := s.write(ctx, next, a.Version)
	return Step{Authorisation: done}, err
}

// Update takes a step of o's authorisation ref: an embedded one's PSU-ID and password,
// method and one-time code, a decoupled one's PSU-ID. A wrong PSU-ID, password or code
// counts; the MaxFailedAttempts-th fails the authorisation and its resource.
func (s *Service) Update(ctx context.Context, o Owner, ref Ref, up Update) (Step, error) {
	a, res, err := s.owned(ctx, o, ref)
	switch {
	case err != nil:
		return Step{}, err
	case a.Status == Failed && a.Approach != OAuth && !s.now().Before(a.ExpiresAt) && a.FailedAttempts < MaxFailedAttempts:
		return Step{}, ErrExpired
	case a.Status.Final():
		return Step{}, errFinal(a.Status)
	case !res.Waiting:
		return Step{}, errNotWaiting(a.Kind, res.Status)
	}
	t, _ := s.target(ref.Kind)
	switch a.Approach {
	case Decoupled:
		if a.Status != Received || !up.empty() {
			return Step{}, errStep(a, "the customer approves in the bank's app; read scaStatus until it is final")
		}
		if up.PSUID == "" {
			return Step{}, errPSUID
		}
		c, err := s.customer(ctx, up.PSUID)
		if err != nil {
			return Step{}, err
		}
		if err := canSign(ctx, t, a.ResourceID, c.ID); err != nil {
			return Step{}, err
		}
		next := a
		next.PSUID, next.CustomerID, next.Status = up.PSUID, c.ID, Started
		started, err := s.write(ctx, next, a.Version)
		return Step{Authorisation: started, Message: msgDecoupled}, err
	case Embedded:
		return s.embedded(ctx, t, a, res, up)
	}
	return Step{}, errStep(a, "the customer authenticates at the bank, so there is nothing to send; read scaStatus until it is final")
}

// embedded takes the next step of an embedded authorisation.
func (s *Service) embedded(ctx context.Context, t Target, a Authorisation, res Resource, up Update) (Step, error) {
	switch a.Status {
	case Received, PSUIdentified:
		if up.MethodID != nil || up.OTP != nil || up.Password == nil && (up.PSUID == "" || a.Status != Received) {
			return Step{}, errStep(a, "send the customer's password (psuData.password) with their PSU-ID")
		}
		psuID := or(up.PSUID, a.PSUID)
		if psuID == "" {
			return Step{}, errPSUID
		}
		c, err := s.Customers.CustomerByLogin(ctx, psuID)
		switch {
		case errors.Is(err, sandboxbank.ErrCustomerUnknown):
			return s.wrong(ctx, t, a, res, "PSU-ID")
		case err != nil:
			return Step{}, err
		}
		if err := canSign(ctx, t, a.ResourceID, c.ID); err != nil {
			return Step{}, err
		}
		next := a
		next.PSUID, next.CustomerID = psuID, c.ID
		if up.Password == nil {
			next.Status = PSUIdentified
			identified, err := s.write(ctx, next, a.Version)
			return Step{Authorisation: identified}, err
		}
		if !c.CheckCredentials(*up.Password, c.OTP) {
			return s.wrong(ctx, t, a, res, "password")
		}
		next.Status = PSUAuthenticated
		authenticated, err := s.write(ctx, next, a.Version)
		return Step{Authorisation: authenticated, Methods: Methods}, err
	case PSUAuthenticated:
		if up.MethodID == nil || up.Password != nil || up.OTP != nil {
			return Step{}, errStep(a, "choose one of the scaMethods (authenticationMethodId)")
		}
		m, ok := MethodByID(*up.MethodID)
		if !ok {
			return Step{}, ErrMethodUnknown
		}
		next := a
		next.Method, next.Status = m.ID, MethodSelected
		selected, err := s.write(ctx, next, a.Version)
		ch := challengeOf(m)
		return Step{Authorisation: selected, Chosen: &m, Challenge: &ch}, err
	case MethodSelected:
		if up.OTP == nil || up.Password != nil || up.MethodID != nil {
			return Step{}, errStep(a, "send the one-time code (scaAuthenticationData)")
		}
		c, err := s.Customers.CustomerByLogin(ctx, a.PSUID)
		if err != nil {
			return Step{}, err
		}
		if !c.CheckCredentials(c.Password, *up.OTP) {
			return s.wrong(ctx, t, a, res, "one-time code")
		}
		return s.finalise(ctx, t, a, c.ID)
	}
	return Step{}, errFinal(a.Status)
}

// wrong counts a wrong credential (what) of a: the MaxFailedAttempts-th fails it and its
// resource.
func (s *Service) wrong(ctx context.Context, t Target, a Authorisation, res Resource, what string) (Step, error) {
	next := a
	next.FailedAttempts++
	if next.FailedAttempts < MaxFailedAttempts {
		if _, err := s.write(ctx, next, a.Version); err != nil {
			return Step{}, err
		}
		return Step{}, errCredentials(what, MaxFailedAttempts-next.FailedAttempts)
	}
	if _, err := s.fail(ctx, t, next, res); err != nil {
		return Step{}, err
	}
	return Step{}, errCredentials(what, 0)
}

// Opened is an authorisation as the bank's pages show it: with its resource.
type Opened struct {
	Authorisation
	Resource Resource
}

// Open is authorisation ref for the bank's pages, whatever its app, while the customer may
// still decide it: ErrNotOpen once it is final, timed out, or its resource no longer
// waits; ErrUnknown for none.
func (s *Service) Open(ctx context.Context, ref Ref) (Opened, error) {
	a, res, err := s.open(ctx, ref)
	if err != nil {
		return Opened{}, err
	}
	if a.Status.Final() || !res.Waiting || a.Approach != Redirect && a.Approach != Decoupled {
		return Opened{Authorisation: a, Resource: res}, ErrNotOpen
	}
	return Opened{Authorisation: a, Resource: res}, nil
}

// Decide records customer customerID's decision at the bank: a redirect authorisation by
// whoever signed in (its resource's target refuses a customer who cannot authorise it), a
// decoupled one by the customer it named only (ErrNotTheirs). Approved, the resource is
// authorised as its OAuth2 approval authorises it; denied, both fail.
func (s *Service) Decide(ctx context.Context, ref Ref, customerID string, approve bool) (Authorisation, error) {
	o, err := s.Open(ctx, ref)
	if err != nil {
		return o.Authorisation, err
	}
	a := o.Authorisation
	if a.Approach == Decoupled && (a.Status != Started || a.CustomerID != customerID) {
		return a, ErrNotTheirs
	}
	t, err := s.target(ref.Kind)
	if err != nil {
		return a, err
	}
	if !approve {
		next := a
		next.CustomerID = customerID
		return s.fail(ctx, t, next, o.Resource)
	}
	step, err := s.finalise(ctx, t, a, customerID)
	return step.Authorisation, err
}

// maxWaiting bounds the customer's list of waiting decoupled authorisations.
const maxWaiting = 50

// WaitingFor lists the decoupled authorisations that wait for customer customerID in the
// bank's app, newest first: those still open (a timed-out one fails as it is read).
func (s *Service) WaitingFor(ctx context.Context, customerID string) ([]Opened, error) {
	list, err := s.Store.Started(ctx, customerID, maxWaiting)
	if err != nil {
		return nil, err
	}
	out := []Opened{}
	for _, a := range list {
		o, err := s.Open(ctx, a.Ref())
		switch {
		case errors.Is(err, ErrNotOpen) || errors.Is(err, ErrUnknown):
			continue
		case err != nil:
			return nil, err
		}
		if o.Approach == Decoupled && o.Status == Started && o.CustomerID == customerID {
			out = append(out, o)
		}
	}
	return out, nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// newID is an authorisation ID: 128 random bits, base64url.
func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
