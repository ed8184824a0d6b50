package possession_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/possession"
	"github.com/bank/devportal/shared/portal/workflow"
)

// fakeStore keeps challenges and issuance records in maps; SpendWrite returns a write
// naming the challenge it spends.
type fakeStore struct {
	challenges map[string]possession.Challenge
	issued     map[string]possession.Issuance
}

func newFake() *fakeStore {
	return &fakeStore{challenges: map[string]possession.Challenge{}, issued: map[string]possession.Issuance{}}
}

// PutChallenge keeps a live challenge as the store's condition does.
func (f *fakeStore) PutChallenge(_ context.Context, c possession.Challenge, now time.Time) (possession.Challenge, error) {
	if old, ok := f.challenges[c.OrgID+"/"+c.Fingerprint]; ok && !old.Used && now.Before(old.ExpiresAt) {
		return old, nil
	}
	f.challenges[c.OrgID+"/"+c.Fingerprint] = c
	return c, nil
}

func (f *fakeStore) Challenge(_ context.Context, orgID, fp string) (possession.Challenge, error) {
	c, ok := f.challenges[orgID+"/"+fp]
	if !ok {
		return c, apperr.New(apperr.NotFound, "NOT_FOUND", "none")
	}
	return c, nil
}

func (f *fakeStore) SpendWrite(c possession.Challenge, _ time.Time) workflow.Write {
	return workflow.Write{Check: &types.ConditionCheck{ConditionExpression: &c.Text}}
}

func (f *fakeStore) IssuanceWrite(i possession.Issuance) (workflow.Write, error) {
	return workflow.Write{}, nil
}

func (f *fakeStore) RecordIssuance(_ context.Context, i possession.Issuance) error {
	f.issued[i.Fingerprint] = i
	return nil
}

func (f *fakeStore) Issuance(_ context.Context, fp string) (possession.Issuance, error) {
	i, ok := f.issued[fp]
	if !ok {
		return i, apperr.New(apperr.NotFound, "NOT_FOUND", "none")
	}
	return i, nil
}

func certificate(t *testing.T, key crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "tpp.example"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sign(t *testing.T, key crypto.Signer, text string, opts crypto.SignerOpts) string {
	t.Helper()
	d := sha256.Sum256([]byte(text))
	sig, err := key.Sign(rand.Reader, d[:], opts)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// fieldsOf renders an error's field errors as "field:rule", or its code.
func fieldsOf(err error) string {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return fmt.Sprint(err)
	}
	if len(ae.Fields) == 0 {
		return ae.Code
	}
	var out []string
	for _, f := range ae.Fields {
		out = append(out, f.Field+":"+f.Rule)
	}
	return strings.Join(out, " ")
}

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func TestCurrent(t *testing.T) {
	ctx := context.Background()
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	st := newFake()
	ec := certificate(t, ecKey)
	fp := possession.Fingerprint(ec)
	v, err := possession.Current(ctx, st, "org1", ec, "ann@example.com", t0)
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`^devportal-possession org=org1 sha256=` + fp + ` expires=2026-11-21T10:15:00Z nonce=[A-Za-z0-9_-]{22}$`)
	if !want.MatchString(v.Challenge) || v.SHA256Fingerprint != fp || !v.ExpiresAt.Equal(t0.Add(15*time.Minute)) || v.KeyAlgorithm != "EC" {
		t.Fatalf("view = %+v", v)
	}
	if v.Commands.EC != "printf '%s' '"+v.Challenge+"' | openssl dgst -sha256 -sign key.pem | base64 -w0" {
		t.Fatalf("EC command = %s", v.Commands.EC)
	}
	if stored := st.challenges["org1/"+fp]; stored.Text != v.Challenge || stored.CreatedBy != "ann@example.com" || stored.Used {
		t.Fatalf("stored = %+v", stored)
	}
	cases := []struct {
		name string
		// change alters the stored challenge before Current runs at the time given.
		change func(c *possession.Challenge)
		at     time.Duration
		same   bool
	}{
		{"shown again while it lives: the same text", func(*possession.Challenge) {}, 14 * time.Minute, true},
		{"expired: a new one", func(*possession.Challenge) {}, 15 * time.Minute, false},
		{"used: a new one", func(c *possession.Challenge) { c.Used = true }, time.Minute, false},
	}
	issued := st.challenges["org1/"+fp]
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			first := issued
			c.change(&first)
			st.challenges["org1/"+fp] = first
			got, err := possession.Current(ctx, st, "org1", ec, "bob@example.com", t0.Add(c.at))
			if err != nil {
				t.Fatal(err)
			}
			if (got.Challenge == first.Text) != c.same || st.challenges["org1/"+fp].Text != got.Challenge {
				t.Fatalf("challenge %q after %q", got.Challenge, first.Text)
			}
		})
	}
	if v, _ := possession.Current(ctx, st, "org1", certificate(t, rsaKey), "ann@example.com", t0); v.KeyAlgorithm != "RSA" {
		t.Fatalf("RSA view = %+v", v)
	}
	// A key the portal cannot check gets no challenge at all.
	if v, err := possession.Current(ctx, st, "org1", certificate(t, edKey), "ann@example.com", t0); v != nil || err != nil {
		t.Fatalf("Ed25519: %+v, %v", v, err)
	}
	// The view is what the API sends.
	raw, _ := json.Marshal(v)
	if !strings.Contains(string(raw), `"commands":{"rsa":"printf`) || !strings.Contains(string(raw), `"rsaPss":"printf`) || !strings.Contains(string(raw), `"keyAlgorithm":"EC"`) {
		t.Fatalf("json = %s", raw)
	}
}

func TestProve(t *testing.T) {
	ctx := context.Background()
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsaCert, ecCert := certificate(t, rsaKey), certificate(t, ecKey)
	pss := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}

	// setup stores a challenge for cert issued at t0 and returns its text.
	type setup func(st *fakeStore, cert *x509.Certificate) string
	fresh := func(st *fakeStore, cert *x509.Certificate) string {
		v, err := possession.Current(ctx, st, "org1", cert, "ann@example.com", t0)
		if err != nil {
			t.Fatal(err)
		}
		return v.Challenge
	}
	used := func(st *fakeStore, cert *x509.Certificate) string {
		text := fresh(st, cert)
		c := st.challenges["org1/"+possession.Fingerprint(cert)]
		c.Used = true
		st.challenges["org1/"+possession.Fingerprint(cert)] = c
		return text
	}
	replaced := func(st *fakeStore, cert *x509.Certificate) string {
		text := used(st, cert)
		fresh(st, cert)
		return text
	}
	none := func(st *fakeStore, cert *x509.Certificate) string { return "devportal-possession never issued" }

	cases := []struct {
		name  string
		cert  *x509.Certificate
		setup setup
		// sign makes the signature of the challenge text.
		sign func(text string) string
		at   time.Duration
		want string
	}{
		{"RSA PKCS#1 v1.5", rsaCert, fresh, func(x string) string { return sign(t, rsaKey, x, crypto.SHA256) }, time.Minute, ""},
		{"RSA-PSS", rsaCert, fresh, func(x string) string { return sign(t, rsaKey, x, pss) }, time.Minute, ""},
		{"ECDSA", ecCert, fresh, func(x string) string { return sign(t, ecKey, x, crypto.SHA256) }, 14 * time.Minute, ""},
		{"signed with another key", ecCert, fresh, func(x string) string { return sign(t, otherKey, x, crypto.SHA256) }, time.Minute, "signature:mismatch"},
		{"signed another text", ecCert, fresh, func(x string) string { return sign(t, ecKey, x+"\n", crypto.SHA256) }, time.Minute, "signature:mismatch"},
		{"not base64", ecCert, fresh, func(string) string { return "%%%" }, time.Minute, "signature:base64"},
		{"expired: signed at the end of the 15 minutes", ecCert, fresh, func(x string) string { return sign(t, ecKey, x, crypto.SHA256) }, 15 * time.Minute, "challenge:expired"},
		{"used: a challenge proves possession once", ecCert, used, func(x string) string { return sign(t, ecKey, x, crypto.SHA256) }, time.Minute, "challenge:used"},
		{"replaced by a newer challenge", ecCert, replaced, func(x string) string { return sign(t, ecKey, x, crypto.SHA256) }, time.Minute, "challenge:replaced"},
		{"never issued", ecCert, none, func(x string) string { return sign(t, ecKey, x, crypto.SHA256) }, time.Minute, "challenge:unknown"},
		{"nothing sent", ecCert, fresh, func(string) string { return "" }, time.Minute, "signature:required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := newFake()
			text := c.setup(st, c.cert)
			// Copied with a line break after it, as a terminal gives it: still the challenge.
			proof, spend, err := possession.Prove(ctx, st, "org1", c.cert, "bob@example.com", possession.ProofRequest{Challenge: text + "\n", Signature: c.sign(text)}, t0.Add(c.at))
			if got := fieldsOf(err); c.want != "" || err != nil {
				if got != c.want {
					t.Fatalf("Prove = %v, want %s", err, c.want)
				}
				return
			}
			if proof != (possession.Proof{Method: possession.BySignature, At: t0.Add(c.at), By: "bob@example.com"}) || spend.Check == nil || *spend.Check.ConditionExpression != text {
				t.Fatalf("proof = %+v, spend = %+v", proof, spend)
			}
		})
	}
	// The challenge of one organization proves nothing in another.
	st := newFake()
	text := fresh(st, ecCert)
	if _, _, err := possession.Prove(ctx, st, "org2", ecCert, "x", possession.ProofRequest{Challenge: text, Signature: sign(t, ecKey, text, crypto.SHA256)}, t0); fieldsOf(err) != "challenge:unknown" {
		t.Fatalf("other organization: %v", err)
	}
	_, _, err := possession.Prove(ctx, st, "org1", ecCert, "x", possession.ProofRequest{}, t0)
	if fieldsOf(err) != "challenge:required signature:required" {
		t.Fatalf("empty request: %v", fieldsOf(err))
	}
}

func TestIssuedTo(t *testing.T) {
	ctx := context.Background()
	st := newFake()
	if err := st.RecordIssuance(ctx, possession.Issuance{Fingerprint: "ab12", UserID: "u1", Email: "ann@example.com", IssuedAt: t0, NotAfter: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		fp, user string
		want     *possession.Proof
	}{
		{"ab12", "u1", &possession.Proof{Method: possession.ByIssuance, At: t0, By: "ann@example.com"}},
		{"ab12", "u2", nil},
		{"cd34", "u1", nil},
	}
	for _, c := range cases {
		got, err := possession.IssuedTo(ctx, st, c.fp, c.user)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("IssuedTo(%s, %s) = %v, %v; want %v", c.fp, c.user, got, err, c.want)
		}
	}
	form := map[string]string{}
	var unproven *possession.Proof
	unproven.Form("qwac", form)
	(&possession.Proof{Method: possession.BySignature, At: t0, By: "x"}).Form("qsealc", form)
	if fmt.Sprint(form) != "map[qsealcPossession:signature qsealcPossessionAt:2026-11-21T10:00:00Z]" {
		t.Fatalf("form = %v", form)
	}
}
