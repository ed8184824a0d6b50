// Package keyproof checks that whoever presents a certificate holds its private key: a
// signature over a text the verifier chose (a challenge), made with that key and checked
// with the certificate's public key. A certificate is public, so having it proves nothing;
// signing a fresh challenge with its key does.
//
// The signatures are what `openssl dgst -sha256 -sign key.pem` prints: RSA PKCS#1 v1.5, or
// RSA-PSS when asked for, or ECDSA in ASN.1 DER, each over the SHA-256 of the challenge.
package keyproof

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"
	"unicode"
)

// Errors Verify returns.
var (
	// ErrEncoding is a signature that is not base64.
	ErrEncoding = errors.New("keyproof: the signature is not base64")
	// ErrMismatch is a signature the certificate's public key does not verify over the
	// challenge: made with another key, over another text, or with another hash.
	ErrMismatch = errors.New("keyproof: the signature does not verify with the certificate's public key")
	// ErrUnsupportedKey is a certificate whose key is neither RSA nor ECDSA.
	ErrUnsupportedKey = errors.New("keyproof: the certificate's key is neither RSA nor ECDSA")
)

// Key algorithms KeyAlgorithm names.
const (
	RSA = "RSA"
	EC  = "EC"
)

// maxSignature bounds the decoded signature: RSA 16384 bits is 2 KiB.
const maxSignature = 4096

// KeyAlgorithm names the certificate's key algorithm: RSA, EC, or "" for any other, which
// Verify cannot check.
func KeyAlgorithm(cert *x509.Certificate) string {
	switch cert.PublicKey.(type) {
	case *rsa.PublicKey:
		return RSA
	case *ecdsa.PublicKey:
		return EC
	}
	return ""
}

// Verify checks that signature, in base64 as the openssl commands print it (line breaks
// and spaces are ignored), is a signature of message by the certificate's private key:
// RSA PKCS#1 v1.5 or RSA-PSS (any salt length), or ECDSA in ASN.1 DER, over SHA-256.
func Verify(cert *x509.Certificate, message []byte, signature string) error {
	sig, err := decode(signature)
	if err != nil {
		return err
	}
	digest := sha256.Sum256(message)
	switch pub := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) == nil {
			return nil
		}
		if rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}) == nil {
			return nil
		}
		return ErrMismatch
	case *ecdsa.PublicKey:
		if ecdsa.VerifyASN1(pub, digest[:], sig) {
			return nil
		}
		return ErrMismatch
	}
	return ErrUnsupportedKey
}

// decode reads base64 in the standard or URL alphabet, padded or not, ignoring whitespace
// (base64 without -w0 wraps its output at 76 characters).
func decode(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	if s == "" || base64.StdEncoding.DecodedLen(len(s)) > maxSignature {
		return nil, ErrEncoding
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, ErrEncoding
}

// Commands are the shell commands that sign a challenge with the private key in key.pem
// and print the signature as one line of base64, one per kind of key.
type Commands struct {
	// RSA signs with an RSA key, PKCS#1 v1.5 padding.
	RSA string `json:"rsa"`
	// RSAPSS signs with an RSA key, PSS padding (for keys whose policy requires PSS).
	RSAPSS string `json:"rsaPss"`
	// EC signs with an EC key (ECDSA).
	EC string `json:"ec"`
}

// CommandsFor returns the commands that sign challenge. printf '%s' writes it without a
// line break, which would change what is signed; challenge must not contain a single
// quote, which no challenge the portal makes does.
func CommandsFor(challenge string) Commands {
	in := "printf '%s' '" + challenge + "' | "
	const out = " | base64 -w0"
	return Commands{
		RSA:    in + "openssl dgst -sha256 -sign key.pem" + out,
		RSAPSS: in + "openssl dgst -sha256 -sign key.pem -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-1" + out,
		EC:     in + "openssl dgst -sha256 -sign key.pem" + out,
	}
}
