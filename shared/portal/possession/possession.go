// Package possession holds the rule that a certificate counts for an organization only
// once its holder has proven possession of the private key. Certificates are public: an
// eIDAS QWAC or an mTLS certificate pasted into the portal proves nothing about who pastes
// it. The holder proves possession by signing a short-lived, single-use challenge bound to
// the certificate's fingerprint and the organization; or the portal's sandbox CA issued the
// certificate, with its key, to that user (proof by issuance). The organization and app
// rules (shared/portal/org, shared/portal/apps) decide what an unproven certificate may not
// do; this package issues the challenges and checks the answers.
package possession

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/validation"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/workflow"
	"github.com/bank/devportal/shared/trust/keyproof"
)

// Method is how possession of a private key was proven.
type Method string

// The ways to prove possession.
const (
	// BySignature is a challenge signed with the key.
	BySignature Method = "signature"
	// ByIssuance is the portal's sandbox CA having issued the certificate and its key to the
	// user.
	ByIssuance Method = "issuance"
	// ByHandshake is a TLS handshake with the certificate on the TPP API's certificate-check
	// endpoint, sending the challenge: the handshake's CertificateVerify is a signature with
	// the key.
	ByHandshake Method = "handshake"
)

// Proof records that possession of a certificate's private key was proven: how, when and
// by whom (the user's email).
type Proof struct {
	Method Method    `json:"method" dynamodbav:"method" enum:"signature,issuance,handshake"`
	At     time.Time `json:"at" dynamodbav:"at"`
	By     string    `json:"by" dynamodbav:"by"`
}

// Form is the proof as an approval request's form shows it to operations, with a key
// prefix: "<prefix>Possession" (method) and "<prefix>PossessionAt" (RFC 3339); nothing for
// an unproven certificate.
func (p *Proof) Form(prefix string, form map[string]string) {
	if p == nil {
		return
	}
	form[prefix+"Possession"] = string(p.Method)
	form[prefix+"PossessionAt"] = p.At.UTC().Format(time.RFC3339)
}

// TTL is how long a challenge can be signed and sent back.
const TTL = 15 * time.Minute

// Challenge is a random text the holder of a certificate signs with its private key. An
// organization has one current challenge per certificate: a new one replaces the old.
type Challenge struct {
	OrgID       string    `dynamodbav:"orgId"`
	Fingerprint string    `dynamodbav:"fingerprint"`
	Text        string    `dynamodbav:"challenge"`
	CreatedBy   string    `dynamodbav:"createdBy"`
	CreatedAt   time.Time `dynamodbav:"createdAt"`
	ExpiresAt   time.Time `dynamodbav:"expiresAt"`
	// Used is set once the challenge proved possession: it cannot prove it again.
	Used bool `dynamodbav:"used"`
}

// Issuance records that the sandbox CA issued a certificate, with its private key, to one
// user through the portal: that user holds the key.
type Issuance struct {
	Fingerprint string    `dynamodbav:"fingerprint"`
	UserID      string    `dynamodbav:"userId"`
	Email       string    `dynamodbav:"email"`
	IssuedAt    time.Time `dynamodbav:"issuedAt"`
	// NotAfter is the certificate's expiry; the record is of no use after it.
	NotAfter time.Time `dynamodbav:"notAfter"`
}

// Store keeps challenges and issuance records.
type Store interface {
	// PutChallenge stores c as the certificate's current challenge in its organization
	// unless a live one (unused, not expired at now) is there: it returns the one stored.
	PutChallenge(ctx context.Context, c Challenge, now time.Time) (Challenge, error)
	// Challenge returns the certificate's current challenge in the organization, or
	// ErrNotFound.
	Challenge(ctx context.Context, orgID, fingerprint string) (Challenge, error)
	// SpendWrite marks c used, on condition that it is still the current challenge, unused,
	// and not expired at now; it joins the transaction that records the proof.
	SpendWrite(c Challenge, now time.Time) workflow.Write
	// IssuanceWrite records that the sandbox CA issued a certificate to a user.
	IssuanceWrite(i Issuance) (workflow.Write, error)
	// RecordIssuance stores an issuance record on its own.
	RecordIssuance(ctx context.Context, i Issuance) error
	// Issuance returns whom the sandbox CA issued the certificate to, or ErrNotFound.
	Issuance(ctx context.Context, fingerprint string) (Issuance, error)
}

// Fingerprint is the certificate's SHA-256 fingerprint as the portal keys certificates:
// lowercase hex of the DER, without colons.
func Fingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return hex.EncodeToString(sum[:])
}

// IssuedTo is the proof by issuance the user has for the certificate: the sandbox CA issued
// it to them through the portal. Nil for anyone else, and for certificates it did not issue.
func IssuedTo(ctx context.Context, st Store, fingerprint, userID string) (*Proof, error) {
	i, err := st.Issuance(ctx, fingerprint)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if i.UserID != userID {
		return nil, nil
	}
	return &Proof{Method: ByIssuance, At: i.IssuedAt, By: i.Email}, nil
}

// ChallengeView is a challenge as the portal shows it with an unproven certificate: the text
// to sign, until when, and the openssl commands that sign it with each kind of key.
type ChallengeView struct {
	SHA256Fingerprint string    `json:"sha256Fingerprint"`
	Challenge         string    `json:"challenge"`
	ExpiresAt         time.Time `json:"expiresAt"`
	// KeyAlgorithm is the certificate's key: which of the commands applies.
	KeyAlgorithm string            `json:"keyAlgorithm" enum:"RSA,EC"`
	Commands     keyproof.Commands `json:"commands"`
	// Handshake is the other way to prove an mTLS certificate: connecting with it. Absent
	// for onboarding's QWAC and QSealC, which are proven by signature.
	Handshake *Handshake `json:"handshake,omitempty"`
}

// Handshake is how to prove possession of an mTLS certificate by one TLS connection made
// with it: the TPP API's certificate-check URL, and the curl command that sends the
// challenge there with the certificate and its key.
type Handshake struct {
	URL     string `json:"url"`
	Command string `json:"command"`
}

// HandshakeFor is the handshake proof of challenge at url. The JSON body's content type
// also keeps a browser holding the certificate from being made to send it cross-site: that
// needs a CORS preflight, which the TPP API never grants.
func HandshakeFor(url, challenge string) *Handshake {
	return &Handshake{URL: url, Command: "curl --cert cert.pem --key key.pem -H 'Content-Type: application/json' -d '{\"challenge\":\"" + challenge + "\"}' " + url}
}

// Current is the certificate's current challenge in the organization, as the portal shows
// it: the one issued earlier while it is unused and unexpired, so that showing it again
// (a page reloaded while the user signs) does not change what they sign; else a new one.
// by is the user's email. A certificate whose key the portal cannot check gets none.
func Current(ctx context.Context, st Store, orgID string, cert *x509.Certificate, by string, now time.Time) (*ChallengeView, error) {
	alg := keyproof.KeyAlgorithm(cert)
	if alg == "" {
		return nil, nil
	}
	fp := Fingerprint(cert)
	c, err := st.Challenge(ctx, orgID, fp)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return nil, err
	}
	if err != nil || c.Used || !now.Before(c.ExpiresAt) {
		if c, err = st.PutChallenge(ctx, newChallenge(orgID, fp, by, now), now); err != nil {
			return nil, err
		}
	}
	return &ChallengeView{SHA256Fingerprint: fp, Challenge: c.Text, ExpiresAt: c.ExpiresAt, KeyAlgorithm: alg, Commands: keyproof.CommandsFor(c.Text)}, nil
}

// newChallenge is a fresh challenge for the certificate in the organization.
func newChallenge(orgID, fp, by string, now time.Time) Challenge {
	c := Challenge{OrgID: orgID, Fingerprint: fp, CreatedBy: by, CreatedAt: now, ExpiresAt: now.Add(TTL)}
	// The text names what it proves, so a signature over it means nothing elsewhere; only
	// letters, digits and = - _ : . go in, so it survives the shell's single quotes.
	c.Text = fmt.Sprintf("devportal-possession org=%s sha256=%s expires=%s nonce=%s", orgID, fp, c.ExpiresAt.UTC().Format("2006-01-02T15:04:05Z"), nonce())
	return c
}

// nonce is 128 random bits, base64url without padding.
func nonce() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// ErrUnsupportedKey refuses a proof for a certificate whose key the portal cannot check.
var ErrUnsupportedKey = apperr.New(apperr.Conflict, "KEY_UNSUPPORTED", "This certificate's key is neither RSA nor EC: the portal can check possession only of RSA and EC keys. Use a certificate with an RSA or EC key.")

// ErrProven refuses a proof for a certificate whose possession is already proven.
var ErrProven = apperr.New(apperr.Conflict, "POSSESSION_PROVEN", "Possession of this certificate's private key is already proven.")

// Result is a recorded proof, and the onboarding request it submitted when it proved the
// last certificate of a draft onboarding.
type Result struct {
	SHA256Fingerprint string            `json:"sha256Fingerprint"`
	Possession        Proof             `json:"possession"`
	Request           *approval.Request `json:"request,omitempty"`
}

// ProofRequest is a signed challenge.
type ProofRequest struct {
	// Challenge is the challenge text that was signed, as shown.
	Challenge string `json:"challenge" validate:"required,max=500" example:"devportal-possession org=0123456789abcdef sha256=47c9a554cc63faecc4e1af6d33922a3fe5157c007da65b574d2f2574d307dabc expires=2026-11-21T10:15:00Z nonce=q8Vb3kTn0YwWm1XoR5sZ2A"`
	// Signature is what the openssl command printed: the signature in base64.
	Signature string `json:"signature" validate:"required,max=6000" example:"MEUCIQDx1vP0Jb9x2oYd3x8i6b0Yx3l0o3m3b7v0mJ4p5Jc1wIgT6x3k5n2m1b8v7c6x5z4a3s2d1f0g9h8j7k6l5p4o3i2u="`
}

// Errors a proof is refused with, each naming the request field at fault.
var (
	errNoChallenge = apperr.Fields(apperr.Field("challenge", "unknown",
		"No challenge was issued for this certificate in this organization: sign the challenge shown with the certificate."))
	errReplaced = apperr.Fields(apperr.Field("challenge", "replaced",
		"This is not the certificate's current challenge: the one you signed was replaced after it expired or was used. Sign the challenge shown with the certificate now."))
	errUsed = apperr.Fields(apperr.Field("challenge", "used",
		"This challenge was already used: each challenge proves possession once."))
	errEncoding = apperr.Fields(apperr.Field("signature", "base64",
		"This is not a base64 signature: paste exactly what the openssl command printed."))
	errMismatch = apperr.Fields(apperr.Field("signature", "mismatch",
		"This signature was not made with this certificate's private key over this challenge. Sign the challenge exactly as shown, with the private key that belongs to the certificate."))
)

// errExpired refuses a challenge signed too late.
func errExpired(at time.Time) error {
	return apperr.Fields(apperr.Field("challenge", "expired",
		fmt.Sprintf("This challenge expired at %s UTC: a challenge is valid for %d minutes. Sign the new challenge shown with the certificate.", at.UTC().Format("15:04 on 2 January 2006"), int(TTL.Minutes()))))
}

// check finds the certificate's challenge in the organization and holds text to it: the
// current one, unused, unexpired at now.
func check(ctx context.Context, st Store, orgID, fingerprint, text string, now time.Time) (Challenge, error) {
	c, err := st.Challenge(ctx, orgID, fingerprint)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		return c, errNoChallenge
	case err != nil:
		return c, err
	case c.Text != text:
		return c, errReplaced
	case c.Used:
		return c, errUsed
	case !now.Before(c.ExpiresAt):
		return c, errExpired(c.ExpiresAt)
	}
	return c, nil
}

// Prove checks a signed challenge for the certificate in the organization. It returns the
// proof and the write that spends the challenge: the caller records the proof in the same
// transaction, so a challenge proves possession once, and a proof is never recorded without
// its challenge spent. by is the user's email.
func Prove(ctx context.Context, st Store, orgID string, cert *x509.Certificate, by string, req ProofRequest, now time.Time) (Proof, workflow.Write, error) {
	req.Challenge = strings.TrimSpace(req.Challenge)
	if errs := validation.Struct(req); len(errs) > 0 {
		return Proof{}, workflow.Write{}, apperr.Fields(errs...)
	}
	c, err := check(ctx, st, orgID, Fingerprint(cert), req.Challenge, now)
	if err != nil {
		return Proof{}, workflow.Write{}, err
	}
	switch err := keyproof.Verify(cert, []byte(c.Text), req.Signature); {
	case errors.Is(err, keyproof.ErrEncoding):
		return Proof{}, workflow.Write{}, errEncoding
	case errors.Is(err, keyproof.ErrUnsupportedKey):
		return Proof{}, workflow.Write{}, ErrUnsupportedKey
	case err != nil:
		return Proof{}, workflow.Write{}, errMismatch
	}
	return Proof{Method: BySignature, At: now, By: by}, st.SpendWrite(c, now), nil
}

// ErrSpent is what a proof whose challenge was spent or replaced between the check and the
// write is told.
var ErrSpent = apperr.Fields(apperr.Field("challenge", "used",
	"This challenge was used at the same time: each challenge proves possession once."))

// HandshakeRequest is the challenge sent over a TLS connection made with the certificate.
type HandshakeRequest struct {
	// Challenge is the certificate's challenge, as the portal shows it.
	Challenge string `json:"challenge" validate:"required,max=500" example:"devportal-possession org=0123456789abcdef sha256=47c9a554cc63faecc4e1af6d33922a3fe5157c007da65b574d2f2574d307dabc expires=2026-11-21T10:15:00Z nonce=q8Vb3kTn0YwWm1XoR5sZ2A"`
}

// Errors a handshake proof is refused with.
var (
	errNotAChallenge = apperr.Fields(apperr.Field("challenge", "format",
		"This is not a challenge the portal showed: send the challenge text exactly as shown with the certificate."))
	errOtherCertificate = apperr.Fields(apperr.Field("challenge", "otherCertificate",
		"This challenge is for another certificate than the one this connection was made with: connect with the certificate the portal shows the challenge with."))
)

// Issued reads the organization and the certificate fingerprint a challenge text names;
// ok is false for a text the portal did not make.
func Issued(text string) (orgID, fingerprint string, ok bool) {
	fields := strings.Fields(text)
	if len(fields) != 5 || fields[0] != "devportal-possession" {
		return "", "", false
	}
	orgID, okOrg := strings.CutPrefix(fields[1], "org=")
	fingerprint, okFP := strings.CutPrefix(fields[2], "sha256=")
	if !okOrg || !okFP || orgID == "" || len(fingerprint) != sha256.Size*2 {
		return "", "", false
	}
	return orgID, fingerprint, true
}

// ProveByHandshake checks a challenge sent over a TLS connection made with cert, whose
// handshake the TLS server (locally the TPP listener, deployed API Gateway's mutual TLS)
// verified: the peer signed the handshake with cert's key. It returns the organization the
// challenge is of, the proof (by whom the challenge was shown to) and the write that
// spends the challenge.
func ProveByHandshake(ctx context.Context, st Store, cert *x509.Certificate, req HandshakeRequest, now time.Time) (string, Proof, workflow.Write, error) {
	req.Challenge = strings.TrimSpace(req.Challenge)
	if errs := validation.Struct(req); len(errs) > 0 {
		return "", Proof{}, workflow.Write{}, apperr.Fields(errs...)
	}
	orgID, fp, ok := Issued(req.Challenge)
	switch {
	case !ok:
		return "", Proof{}, workflow.Write{}, errNotAChallenge
	case fp != Fingerprint(cert):
		return "", Proof{}, workflow.Write{}, errOtherCertificate
	}
	c, err := check(ctx, st, orgID, fp, req.Challenge, now)
	if err != nil {
		return "", Proof{}, workflow.Write{}, err
	}
	return orgID, Proof{Method: ByHandshake, At: now, By: c.CreatedBy}, st.SpendWrite(c, now), nil
}
