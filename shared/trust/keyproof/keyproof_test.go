package keyproof_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/trust/keyproof"
)

// certificate is a self-signed certificate of key's public key: the checks read only the key.
func certificate(t *testing.T, key crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tpp.example"},
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

func sign(t *testing.T, key crypto.Signer, msg string, opts crypto.SignerOpts) string {
	t.Helper()
	var digest []byte
	switch opts.HashFunc() {
	case crypto.SHA1:
		d := sha1.Sum([]byte(msg))
		digest = d[:]
	default:
		d := sha256.Sum256([]byte(msg))
		digest = d[:]
	}
	sig, err := key.Sign(rand.Reader, digest, opts)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// wrapped is base64 as `base64` prints it without -w0: lines of 76 characters.
func wrapped(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\n")
		s = s[76:]
	}
	return b.String() + s + "\n"
}

const challenge = "devportal proof-of-possession org=0123456789abcdef sha256=ab12 nonce=xyz"

func TestVerify(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	otherRSA, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	otherEC, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	pssHash := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}
	pssMax := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto, Hash: crypto.SHA256}
	pkcs1 := rsaSig(t, rsaKey)
	ecSig := sign(t, p256, challenge, crypto.SHA256)

	cases := []struct {
		name      string
		cert      *x509.Certificate
		message   string
		signature string
		want      error
	}{
		{"RSA PKCS#1 v1.5", certificate(t, rsaKey), challenge, pkcs1, nil},
		{"RSA-PSS, salt as long as the hash", certificate(t, rsaKey), challenge, sign(t, rsaKey, challenge, pssHash), nil},
		{"RSA-PSS, longest salt (openssl's rsa_pss_saltlen:-2)", certificate(t, rsaKey), challenge, sign(t, rsaKey, challenge, pssMax), nil},
		{"ECDSA P-256", certificate(t, p256), challenge, ecSig, nil},
		{"ECDSA P-384", certificate(t, p384), challenge, sign(t, p384, challenge, crypto.SHA256), nil},
		{"base64 wrapped at 76 characters", certificate(t, rsaKey), challenge, wrapped(pkcs1), nil},
		{"base64url without padding", certificate(t, p256), challenge, base64.RawURLEncoding.EncodeToString(mustDecode(ecSig)), nil},
		{"RSA signature of another key", certificate(t, rsaKey), challenge, rsaSig(t, otherRSA), keyproof.ErrMismatch},
		{"EC signature of another key", certificate(t, p256), challenge, sign(t, otherEC, challenge, crypto.SHA256), keyproof.ErrMismatch},
		{"signature of another challenge", certificate(t, p256), challenge + " ", ecSig, keyproof.ErrMismatch},
		{"SHA-1 instead of SHA-256", certificate(t, rsaKey), challenge, sign(t, rsaKey, challenge, crypto.SHA1), keyproof.ErrMismatch},
		{"EC signature for an RSA certificate", certificate(t, rsaKey), challenge, ecSig, keyproof.ErrMismatch},
		{"not base64", certificate(t, p256), challenge, "this is not base64!", keyproof.ErrEncoding},
		{"empty", certificate(t, p256), challenge, " \n", keyproof.ErrEncoding},
		{"far too long", certificate(t, p256), challenge, strings.Repeat("A", 8000), keyproof.ErrEncoding},
		{"Ed25519 key", certificate(t, edKey), challenge, base64.StdEncoding.EncodeToString(ed25519.Sign(edKey, []byte(challenge))), keyproof.ErrUnsupportedKey},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := keyproof.Verify(c.cert, []byte(c.message), c.signature); !errors.Is(err, c.want) || (c.want == nil && err != nil) {
				t.Fatalf("Verify = %v, want %v", err, c.want)
			}
		})
	}
}

func rsaSig(t *testing.T, key *rsa.PrivateKey) string { return sign(t, key, challenge, crypto.SHA256) }

func mustDecode(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestKeyAlgorithm(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 1024)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	for _, c := range []struct {
		key  crypto.Signer
		want string
	}{{rsaKey, "RSA"}, {ecKey, "EC"}, {edKey, ""}} {
		if got := keyproof.KeyAlgorithm(certificate(t, c.key)); got != c.want {
			t.Errorf("KeyAlgorithm(%T) = %q, want %q", c.key, got, c.want)
		}
	}
}

// TestCommandsSignWithOpenSSL runs the commands the portal shows, as a TPP would, with a key
// of each kind in key.pem: what they print must verify.
func TestCommandsSignWithOpenSSL(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed")
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cmds := keyproof.CommandsFor(challenge)
	cases := []struct {
		name    string
		key     crypto.Signer
		command string
	}{
		{"RSA", rsaKey, cmds.RSA},
		{"RSA-PSS", rsaKey, cmds.RSAPSS},
		{"EC", ecKey, cmds.EC},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			der, err := x509.MarshalPKCS8PrivateKey(c.key)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("bash", "-o", "pipefail", "-c", c.command)
			cmd.Dir = dir
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: %v", c.command, err)
			}
			if strings.ContainsAny(string(out), "\n ") {
				t.Fatalf("the signature is not one line: %q", out)
			}
			if err := keyproof.Verify(certificate(t, c.key), []byte(challenge), string(out)); err != nil {
				t.Fatalf("the signature %s prints does not verify: %v", c.command, err)
			}
		})
	}
	if cmds.RSA == cmds.RSAPSS {
		t.Fatal("the PSS command is the PKCS#1 v1.5 one")
	}
}
