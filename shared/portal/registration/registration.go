// Package registration holds the rules of registration through the API alone: a TPP's
// software, without a person at the portal, registers an installation key, its eIDAS
// certificate (proving it holds the certificate's key), a device with the addresses it
// calls from, opens sessions, and manages its OAuth clients and their callback URLs.
//
// Where the rules live, and why here. The registration API creates what the portal
// creates (organizations, members, apps, credentials, redirect URIs, approval requests,
// audit entries), so it must be one model with the portal, not a copy: an organization it
// registers is onboarded by org's rules (the same organization, owner, identifier and
// code items; in production the same onboarding request, approval workflow and
// operations decision), and an OAuth client is an app created by apps' rules (the same
// app, credential and API key items, redirect-URI rules, roles, audit trail and go-live
// rules). The TPP area may not import the portal's domains (it reads the portal only
// through its one-read lookups), so these rules are a portal-area package, and its
// endpoints are portal routes served on the TPP API's mutual-TLS origin
// (route.ClientCertificate, like the certificate check): deployed as methods of the TPP
// REST API without the caller check (the caller is not an app yet), mounted locally on
// the TPP listener. Their errors are the portal's (code, message, fields).
//
// The software acts as the owner of the organization it registered (org.SoftwareName,
// member ID SoftwareID); the administrator named at registration is invited to the portal
// as ADMIN (sandbox: at once; production: when operations approve). Credentials the API
// hands out are random and stored only as SHA-256 hashes: the installation token, the
// registration's API key and the session tokens.
package registration

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"net/netip"
	"strings"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/platform/validation"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/workflow"
)

// Header names of the registration API.
const (
	// AuthHeader carries the installation token (certificate registration, devices,
	// sessions) or a session token (OAuth clients).
	AuthHeader = "X-Client-Authentication"
	// SignatureHeader carries the software's signature of a request, made with the
	// installation's private key over SignedText (SHA-256; RSA PKCS#1 v1.5 or PSS, or
	// ECDSA; base64). Every call but the installation itself carries one.
	SignatureHeader = "X-Client-Signature"
	// ServerSignatureHeader carries the bank's signature of a response body (ECDSA P-256,
	// SHA-256, ASN.1 DER, base64), checked with the installation's server public key.
	ServerSignatureHeader = "X-Server-Signature"
)

// Call is one call of the registration API as its rules need it: the token sent, the
// caller's address, and what its signature covers.
type Call struct {
	Token     string
	Address   string
	Method    string
	Target    string
	Body      []byte
	Signature string
}

// SignedText is what a request's signature covers: the method, the path with its query,
// a line break, then the body exactly as sent.
func SignedText(method, target string, body []byte) []byte {
	return append([]byte(method+" "+target+"\n"), body...)
}

// ErrSignature refuses a request whose signature is missing or does not verify with the
// installation's public key.
var ErrSignature = apperr.New(apperr.Unauthorized, "SIGNATURE_INVALID", "Sign the request with the installation's private key in the "+SignatureHeader+
	" header: SHA-256 over the method, a space, the path with its query, a line break and the body, in base64.")

// verify checks a call's signature with the installation's public key.
func verify(publicKeyPEM string, c Call) error {
	pub, err := ParsePublicKey(publicKeyPEM)
	if err != nil {
		return ErrSignature
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(c.Signature))
	if err != nil || len(sig) == 0 {
		return ErrSignature
	}
	d := sha256.Sum256(SignedText(c.Method, c.Target, c.Body))
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if rsa.VerifyPKCS1v15(k, crypto.SHA256, d[:], sig) == nil || rsa.VerifyPSS(k, crypto.SHA256, d[:], sig, nil) == nil {
			return nil
		}
	case *ecdsa.PublicKey:
		if ecdsa.VerifyASN1(k, d[:], sig) {
			return nil
		}
	}
	return ErrSignature
}

// SignResponse is the bank's signature of a response body (ServerSignatureHeader).
func (s *Service) SignResponse(body []byte) (string, error) {
	if s.key == nil {
		return "", ErrNoKey
	}
	d := sha256.Sum256(body)
	sig, err := ecdsa.SignASN1(rand.Reader, s.key, d[:])
	if err != nil {
		return "", apperr.Wrap(err, "sign response")
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// Installation is the TPP software's public key and the token it was given for it.
type Installation struct {
	ID           string    `dynamodbav:"id"`
	PublicKeyPEM string    `dynamodbav:"publicKeyPem"`
	TokenHash    string    `dynamodbav:"tokenHash"`
	CreatedAt    time.Time `dynamodbav:"createdAt"`
	ExpiresAt    time.Time `dynamodbav:"expiresAt"`
	// RegistrationID is set once the installation registered a certificate.
	RegistrationID string `dynamodbav:"registrationId,omitempty"`
}

// Registration is the software's registration: its organization and the hash of its API
// key. One per installation and one per certificate.
type Registration struct {
	ID              string          `dynamodbav:"id"`
	InstallationID  string          `dynamodbav:"installationId"`
	OrgID           string          `dynamodbav:"orgId"`
	Environment     org.Environment `dynamodbav:"environment"`
	APIKeyHash      string          `dynamodbav:"apiKeyHash"`
	CertFingerprint string          `dynamodbav:"certFingerprint"`
	CreatedAt       time.Time       `dynamodbav:"createdAt"`
	// Sessions counts the sessions started; the first is short (Service.FirstSession).
	Sessions int `dynamodbav:"sessions"`
	// PublicKeyPEM is the installation's public key, which the software's requests are
	// signed with.
	PublicKeyPEM string `dynamodbav:"publicKeyPem"`
	// InstallationTokenHash keys the installation RegistrationWrites marks as registered;
	// not stored on the registration.
	InstallationTokenHash string `dynamodbav:"-"`
}

// Device is a place the software calls from: only calls from its permitted addresses
// (single addresses or CIDR ranges) are served.
type Device struct {
	ID             string    `json:"id" dynamodbav:"id"`
	RegistrationID string    `json:"-" dynamodbav:"registrationId"`
	Description    string    `json:"description" dynamodbav:"description"`
	PermittedIPs   []string  `json:"permittedIps" dynamodbav:"permittedIps"`
	CreatedAt      time.Time `json:"createdAt" dynamodbav:"createdAt"`
}

// Session is an open session of a registration, by the hash of its token.
type Session struct {
	TokenHash      string    `dynamodbav:"tokenHash"`
	RegistrationID string    `dynamodbav:"registrationId"`
	InstallationID string    `dynamodbav:"installationId"`
	CreatedAt      time.Time `dynamodbav:"createdAt"`
	ExpiresAt      time.Time `dynamodbav:"expiresAt"`
}

// Store keeps installations, registrations, devices and sessions in the portal table.
// Every write that must not clobber is conditional; "not found" is apperr.ErrNotFound.
type Store interface {
	CreateInstallation(ctx context.Context, in Installation) error
	InstallationByToken(ctx context.Context, tokenHash string) (Installation, error)
	// RegistrationWrites create the registration, reserve its API key hash and its
	// certificate (refused if another registration holds it) and mark the installation
	// registered (refused if it already is).
	RegistrationWrites(r Registration) ([]workflow.Write, error)
	// CreateRegistration applies RegistrationWrites with the given writes, all or nothing.
	CreateRegistration(ctx context.Context, r Registration, with ...workflow.Write) error
	RegistrationByAPIKey(ctx context.Context, keyHash string) (Registration, error)
	GetRegistration(ctx context.Context, id string) (Registration, error)
	// AddDevice stores a device if the registration has fewer than max.
	AddDevice(ctx context.Context, d Device, max int) error
	Devices(ctx context.Context, registrationID string) ([]Device, error)
	// StartSession stores the session and counts it on the registration, if the count is
	// still the one read (r.Sessions).
	StartSession(ctx context.Context, r Registration, s Session) error
	Session(ctx context.Context, tokenHash string) (Session, error)
	EndSession(ctx context.Context, tokenHash string) error
	DynamicClientStore
}

// Orgs are the organization rules registration uses.
type Orgs interface {
	RegistrationWrites(ctx context.Context, r org.APIRegistration) (org.Registered, error)
	SubmitRegistration(ctx context.Context, r org.Registered, with ...workflow.Write) (approval.Request, error)
	MailInvitation(ctx context.Context, r org.Registered) error
	Membership(ctx context.Context, a org.Actor, orgID string) (org.Organization, org.Member, error)
}

// Apps are the app rules an OAuth client is managed with.
type Apps interface {
	Create(ctx context.Context, a org.Actor, orgID string, req apps.NameRequest) (apps.AppCreated, error)
	List(ctx context.Context, a org.Actor, orgID string, page paging.Page) (apps.AppsView, error)
	Get(ctx context.Context, a org.Actor, orgID, appID string) (apps.AppDetail, error)
	Delete(ctx context.Context, a org.Actor, orgID, appID string) error
	AddRedirectURI(ctx context.Context, a org.Actor, orgID, appID string, req apps.RedirectRequest) (apps.App, apps.Reviewed, error)
	Rename(ctx context.Context, a org.Actor, orgID, appID string, req apps.NameRequest) (apps.App, apps.Reviewed, error)
	RemoveRedirectURI(ctx context.Context, a org.Actor, orgID, appID, uri string) error
	ReplaceClientSettings(ctx context.Context, a org.Actor, orgID, appID string, c apps.ClientSettings, with ...workflow.Write) (apps.App, error)
	Verify(ctx context.Context, a org.Actor, orgID, appID, clientID string, req apps.VerifyRequest) (apps.VerifyResult, error)
	Certificate(ctx context.Context, a org.Actor, orgID, fingerprint string) (apps.Certificate, error)
	Upload(ctx context.Context, a org.Actor, orgID string, req apps.UploadRequest) (apps.Certificate, error)
	AttachCertificate(ctx context.Context, a org.Actor, orgID, appID string, req apps.SelectRequest) (apps.Certificate, error)
	Subscribe(ctx context.Context, a org.Actor, orgID, appID string, req apps.SubscribeRequest) (apps.Subscription, error)
}

// Durations of the registration API's credentials.
const (
	// FirstSession is how long the first session of a registration lasts: its software
	// proves at once that it can start the next.
	FirstSession = time.Hour
	// DefaultSessionTTL is how long later sessions last unless configured.
	DefaultSessionTTL = 90 * 24 * time.Hour
	// DefaultInstallationTTL is how long an installation token is valid.
	DefaultInstallationTTL = 90 * 24 * time.Hour
	// MaxDevices bounds a registration's devices.
	MaxDevices = 20
)

// Deps are what the registration rules need.
type Deps struct {
	Store Store
	Orgs  Orgs
	Apps  Apps
	// Roots are the CAs trusted for eIDAS certificates, per environment.
	Roots org.Trust
	// Revocation asks the certificates' CAs whether they revoked them; nil checks nothing.
	Revocation org.RevocationChecker
	// SigningSeed derives the bank's response-signing key (ResponseKey): the registration
	// key's secret, at least MinKeySeed bytes. Nil leaves the API without one, which
	// refuses installations.
	SigningSeed []byte
	// SessionTTL is how long a session after the first lasts; zero is DefaultSessionTTL.
	SessionTTL time.Duration
	// ConfigurationEndpoint is dynamic client registration's endpoint on the TPP API's
	// origin (its URL): each client's configuration endpoint is under it.
	ConfigurationEndpoint string
}

// Service applies the registration rules.
type Service struct {
	store      Store
	orgs       Orgs
	apps       Apps
	roots      org.Trust
	revocation org.RevocationChecker
	key        *ecdsa.PrivateKey
	sessionTTL time.Duration
	// InstallationTTL is how long an installation token is valid.
	InstallationTTL time.Duration
	// ConfigurationEndpoint is dynamic client registration's URL (Deps).
	ConfigurationEndpoint string
	// Now is the clock; tests move it.
	Now func() time.Time
}

// NewService wires the registration rules.
func NewService(d Deps) *Service {
	s := &Service{store: d.Store, orgs: d.Orgs, apps: d.Apps, roots: d.Roots, revocation: d.Revocation, sessionTTL: d.SessionTTL, InstallationTTL: DefaultInstallationTTL, ConfigurationEndpoint: d.ConfigurationEndpoint,
		Now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}
	if s.sessionTTL == 0 {
		s.sessionTTL = DefaultSessionTTL
	}
	if d.SigningSeed != nil {
		s.key = ResponseKey(d.SigningSeed)
	}
	return s
}

// MinKeySeed is the shortest seed ResponseKey is given: the registration key's secret
// (64 generated letters and digits deployed).
const MinKeySeed = 32

// ResponseKey derives the bank's response-signing key (ECDSA P-256) from seed, the
// registration key's secret of its own: every function that serves the API derives the
// same key from the same secret, which a secrets store generates as text, not as a key.
func ResponseKey(seed []byte) *ecdsa.PrivateKey {
	for i := byte(0); ; i++ {
		m := hmac.New(sha256.New, seed)
		m.Write([]byte("registration API response signing"))
		m.Write([]byte{i})
		if k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), m.Sum(nil)); err == nil {
			return k
		}
	}
}

// Errors of the registration API.
var (
	ErrNoKey                   = apperr.New(apperr.Unavailable, "SIGNING_KEY_UNAVAILABLE", "The registration API has no response-signing key in this deployment.")
	ErrInstallationToken       = apperr.New(apperr.Unauthorized, "INSTALLATION_TOKEN_INVALID", "Send the installation token your installation received in the "+AuthHeader+" header.")
	ErrInstallationExpired     = apperr.New(apperr.Unauthorized, "INSTALLATION_TOKEN_EXPIRED", "This installation token has expired: register a new installation.")
	ErrInstallationRegistered  = apperr.New(apperr.Conflict, "INSTALLATION_REGISTERED", "This installation already registered a certificate; its API key stays valid. Use a new installation for another registration.")
	ErrAPIKey                  = apperr.New(apperr.Unauthorized, "API_KEY_INVALID", "This API key is not one of this installation's registration.")
	ErrSessionToken            = apperr.New(apperr.Unauthorized, "SESSION_TOKEN_INVALID", "Send a session token in the "+AuthHeader+" header: start a session first.")
	ErrSessionExpired          = apperr.New(apperr.Unauthorized, "SESSION_EXPIRED", "This session has expired: start a new one with your API key.")
	ErrAddressNotPermitted     = apperr.New(apperr.Forbidden, "ADDRESS_NOT_PERMITTED", "Calls from this address are not permitted: register a device whose permitted addresses include it.")
	ErrOrganizationNotActive   = apperr.New(apperr.Conflict, "ORGANIZATION_NOT_ACTIVE", "The organization is not active: a production registration waits for the bank's approval.")
	ErrCertificateRegistered   = apperr.New(apperr.Conflict, "CERTIFICATE_REGISTERED", "This certificate is already registered by another organization.")
	ErrTooManyDevices          = apperr.New(apperr.Conflict, "TOO_MANY_DEVICES", "A registration has at most 20 devices.")
	errNoClient                = apperr.New(apperr.NotFound, "NOT_FOUND", "There is no such OAuth client of your organization.")
	errProductionPseudo        = "Production accepts only eIDAS certificates from the trusted CAs; pseudo certificates are for the sandbox."
	errNoPossession            = "Sign the installation's public key (the PEM text exactly as you sent it) with the certificate's private key: SHA-256, RSA PKCS#1 v1.5 or PSS, or ECDSA, in base64."
	errPossessionMismatch      = "This signature does not verify with the certificate's public key over the installation's public key: sign that PEM text, exactly as you sent it, with the certificate's private key."
	errInstallationKeyRequired = "Send the software's public key as PEM (BEGIN PUBLIC KEY): RSA of 2048 bits or more, or EC P-256."
)

// InstallationRequest carries the software's public key.
type InstallationRequest struct {
	ClientPublicKey string `json:"clientPublicKey" validate:"required,max=4000" example:"-----BEGIN PUBLIC KEY-----\nMFkw...\n-----END PUBLIC KEY-----"`
}

// InstallationCreated is the installation token, shown once, and the bank's public key,
// which signs the API's responses.
type InstallationCreated struct {
	ID              string    `json:"id"`
	Token           string    `json:"token"`
	ExpiresAt       time.Time `json:"expiresAt"`
	ServerPublicKey string    `json:"serverPublicKey"`
}

// ParsePublicKey reads a PEM public key the installation rules accept: RSA of 2048 bits
// or more, or EC P-256.
func ParsePublicKey(text string) (crypto.PublicKey, error) {
	b, _ := pem.Decode([]byte(strings.TrimSpace(text)))
	if b == nil || b.Type != "PUBLIC KEY" {
		return nil, errors.New("not a PEM public key")
	}
	pub, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		return nil, err
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() >= 2048 {
			return k, nil
		}
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() {
			return k, nil
		}
	}
	return nil, errors.New("unsupported key")
}

// ServerPublicKey is the bank's response-signing public key as PEM.
func (s *Service) ServerPublicKey() (string, error) {
	if s.key == nil {
		return "", ErrNoKey
	}
	der, err := x509.MarshalPKIXPublicKey(&s.key.PublicKey)
	if err != nil {
		return "", apperr.Wrap(err, "marshal server key")
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}

// Install registers the software's public key and answers its installation token.
func (s *Service) Install(ctx context.Context, req InstallationRequest) (InstallationCreated, error) {
	if errs := validation.Struct(req); len(errs) > 0 {
		return InstallationCreated{}, apperr.Fields(errs...)
	}
	if _, err := ParsePublicKey(req.ClientPublicKey); err != nil {
		return InstallationCreated{}, apperr.Fields(apperr.Field("clientPublicKey", "publicKey", errInstallationKeyRequired))
	}
	serverKey, err := s.ServerPublicKey()
	if err != nil {
		return InstallationCreated{}, err
	}
	token := newToken()
	now := s.Now()
	in := Installation{ID: newID(), PublicKeyPEM: req.ClientPublicKey, TokenHash: Hash(token), CreatedAt: now, ExpiresAt: now.Add(s.InstallationTTL)}
	if err := s.store.CreateInstallation(ctx, in); err != nil {
		return InstallationCreated{}, err
	}
	return InstallationCreated{ID: in.ID, Token: token, ExpiresAt: in.ExpiresAt, ServerPublicKey: serverKey}, nil
}

// signedInstallation is the installation whose token the call sent, the call signed
// with its key.
func (s *Service) signedInstallation(ctx context.Context, c Call) (Installation, error) {
	in, err := s.installation(ctx, c.Token)
	if err != nil {
		return Installation{}, err
	}
	return in, verify(in.PublicKeyPEM, c)
}

// installation is the installation whose token the caller sent.
func (s *Service) installation(ctx context.Context, token string) (Installation, error) {
	if token == "" || len(token) > 200 {
		return Installation{}, ErrInstallationToken
	}
	in, err := s.store.InstallationByToken(ctx, Hash(token))
	if errors.Is(err, apperr.ErrNotFound) {
		return Installation{}, ErrInstallationToken
	}
	if err != nil {
		return Installation{}, err
	}
	if !s.Now().Before(in.ExpiresAt) {
		return Installation{}, ErrInstallationExpired
	}
	return in, nil
}

// registration is the registration of the installation with that API key.
func (s *Service) registration(ctx context.Context, in Installation, apiKey string) (Registration, error) {
	if apiKey == "" || len(apiKey) > 200 {
		return Registration{}, apperr.Fields(apperr.Field("apiKey", "required", "Send the API key the certificate registration answered."))
	}
	r, err := s.store.RegistrationByAPIKey(ctx, Hash(apiKey))
	if errors.Is(err, apperr.ErrNotFound) || err == nil && r.InstallationID != in.ID {
		return Registration{}, ErrAPIKey
	}
	return r, err
}

// DeviceRequest registers a device: what it is and the addresses it calls from (none:
// the address of this call).
type DeviceRequest struct {
	APIKey       string   `json:"apiKey" validate:"required,max=200" example:"k3Yx..."`
	Description  string   `json:"description" validate:"required,max=200,singleline" example:"Payments backend, Frankfurt"`
	PermittedIPs []string `json:"permittedIps" validate:"max=20" example:"[\"203.0.113.7\",\"198.51.100.0/24\"]"`
}

// AddDevice registers a device of the registration the API key names.
func (s *Service) AddDevice(ctx context.Context, call Call, req DeviceRequest) (Device, error) {
	caller := call.Address
	in, err := s.signedInstallation(ctx, call)
	if err != nil {
		return Device{}, err
	}
	validation.Normalize(&req)
	if errs := validation.Struct(req); len(errs) > 0 {
		return Device{}, apperr.Fields(errs...)
	}
	r, err := s.registration(ctx, in, req.APIKey)
	if err != nil {
		return Device{}, err
	}
	ips := req.PermittedIPs
	if len(ips) == 0 {
		ips = []string{caller}
	}
	var errs []apperr.FieldError
	for i, ip := range ips {
		if _, err := parseRange(ip); err != nil {
			errs = append(errs, apperr.Field(fieldIndex("permittedIps", i), "ip", "Write an IPv4 or IPv6 address, or a CIDR range such as 198.51.100.0/24."))
		}
	}
	if len(errs) > 0 {
		return Device{}, apperr.Fields(errs...)
	}
	d := Device{ID: newID(), RegistrationID: r.ID, Description: req.Description, PermittedIPs: ips, CreatedAt: s.Now()}
	if err := s.store.AddDevice(ctx, d, MaxDevices); err != nil {
		return Device{}, err
	}
	return d, nil
}

func fieldIndex(name string, i int) string { return name + "[" + itoa(i) + "]" }

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// parseRange reads an address or a CIDR range as a prefix.
func parseRange(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// permitted refuses a caller whose address no device of the registration permits.
func (s *Service) permitted(ctx context.Context, r Registration, caller string) error {
	addr, err := netip.ParseAddr(caller)
	if err != nil {
		return ErrAddressNotPermitted
	}
	devices, err := s.store.Devices(ctx, r.ID)
	if err != nil {
		return err
	}
	for _, d := range devices {
		for _, ip := range d.PermittedIPs {
			if p, err := parseRange(ip); err == nil && p.Contains(addr.Unmap()) {
				return nil
			}
		}
	}
	return ErrAddressNotPermitted
}

// SessionRequest starts a session with the registration's API key.
type SessionRequest struct {
	APIKey string `json:"apiKey" validate:"required,max=200" example:"k3Yx..."`
}

// SessionStarted is a session token, shown once, and its end.
type SessionStarted struct {
	Token          string    `json:"token"`
	ExpiresAt      time.Time `json:"expiresAt"`
	OrganizationID string    `json:"organizationId"`
}

// StartSession opens a session of the registration the API key names, from a permitted
// address of an active organization: the first lasts FirstSession, later ones the
// configured time.
func (s *Service) StartSession(ctx context.Context, call Call, req SessionRequest) (SessionStarted, error) {
	caller := call.Address
	in, err := s.signedInstallation(ctx, call)
	if err != nil {
		return SessionStarted{}, err
	}
	if errs := validation.Struct(req); len(errs) > 0 {
		return SessionStarted{}, apperr.Fields(errs...)
	}
	r, err := s.registration(ctx, in, req.APIKey)
	if err != nil {
		return SessionStarted{}, err
	}
	if err := s.permitted(ctx, r, caller); err != nil {
		return SessionStarted{}, err
	}
	if err := s.active(ctx, r); err != nil {
		return SessionStarted{}, err
	}
	ttl := s.sessionTTL
	if r.Sessions == 0 {
		ttl = FirstSession
	}
	tok := newToken()
	now := s.Now()
	sess := Session{TokenHash: Hash(tok), RegistrationID: r.ID, InstallationID: in.ID, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := s.store.StartSession(ctx, r, sess); err != nil {
		return SessionStarted{}, err
	}
	return SessionStarted{Token: tok, ExpiresAt: sess.ExpiresAt, OrganizationID: r.OrgID}, nil
}

func (s *Service) active(ctx context.Context, r Registration) error {
	g, _, err := s.orgs.Membership(ctx, actor(r), r.OrgID)
	if err != nil {
		return err
	}
	if g.Status != org.StatusActive {
		return ErrOrganizationNotActive
	}
	return nil
}

// actor is the registered software acting in its organization.
func actor(r Registration) org.Actor {
	return org.Actor{UserID: SoftwareID(r.ID), Email: org.SoftwareName, Software: true}
}

// SoftwareID is the member ID of a registration's software in its organization.
func SoftwareID(registrationID string) string { return "api-" + registrationID }

// Caller is who a session's call comes from: the registration and its installation's
// public key, which its signatures verify with.
type Caller struct {
	Registration Registration
	PublicKeyPEM string
}

// Authenticate returns the caller of a session token, from a permitted address.
func (s *Service) Authenticate(ctx context.Context, call Call) (Caller, error) {
	token, caller := call.Token, call.Address
	if token == "" || len(token) > 200 {
		return Caller{}, ErrSessionToken
	}
	sess, err := s.store.Session(ctx, Hash(token))
	if errors.Is(err, apperr.ErrNotFound) {
		return Caller{}, ErrSessionToken
	}
	if err != nil {
		return Caller{}, err
	}
	if !s.Now().Before(sess.ExpiresAt) {
		return Caller{}, ErrSessionExpired
	}
	r, err := s.store.GetRegistration(ctx, sess.RegistrationID)
	if err != nil {
		return Caller{}, err
	}
	if err := verify(r.PublicKeyPEM, call); err != nil {
		return Caller{}, err
	}
	if err := s.permitted(ctx, r, caller); err != nil {
		return Caller{}, err
	}
	return Caller{Registration: r, PublicKeyPEM: r.PublicKeyPEM}, nil
}

// EndSession ends the session of the token at once.
func (s *Service) EndSession(ctx context.Context, call Call) error {
	if _, err := s.Authenticate(ctx, call); err != nil && !errors.Is(err, ErrSessionExpired) {
		return err
	}
	return s.store.EndSession(ctx, Hash(call.Token))
}

// Hash is the SHA-256 of a token in hex, the form tokens are stored in.
func Hash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
