package sandboxca_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/bank/devportal/shared/trust/sandboxca"
)

func TestCRL(t *testing.T) {
	ca := loadCA(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	der, err := ca.CRL(sandboxca.CRLRequest{Number: big.NewInt(7), ThisUpdate: now, Revoked: []sandboxca.Revoked{
		{Serial: big.NewInt(300), At: now.Add(-time.Hour), Reason: sandboxca.ReasonKeyCompromise},
		{Serial: big.NewInt(20), At: now.Add(-2 * time.Hour), Reason: sandboxca.ReasonSuperseded},
	}})
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := crl.CheckSignatureFrom(ca.Cert); err != nil {
		t.Fatalf("the CRL's signature does not verify with the CA: %v", err)
	}
	if crl.Number.Int64() != 7 || !crl.ThisUpdate.Equal(now) || !crl.NextUpdate.Equal(now.Add(sandboxca.CRLValidity)) {
		t.Fatalf("number %v, thisUpdate %v, nextUpdate %v", crl.Number, crl.ThisUpdate, crl.NextUpdate)
	}
	if crl.Issuer.String() != ca.Cert.Subject.String() {
		t.Fatalf("issuer %s, want %s", crl.Issuer, ca.Cert.Subject)
	}
	var got []string
	for _, e := range crl.RevokedCertificateEntries {
		got = append(got, e.SerialNumber.String()+"@"+e.RevocationTime.UTC().Format(time.RFC3339)+"/"+sandboxca.ReasonName(e.ReasonCode))
	}
	want := []string{"20@2026-03-01T10:00:00Z/superseded", "300@2026-03-01T11:00:00Z/keyCompromise"}
	if !slices.Equal(got, want) {
		t.Fatalf("entries %v, want %v", got, want)
	}

	// An empty CRL is a valid CRL too: nothing is revoked.
	der, err = ca.CRL(sandboxca.CRLRequest{Number: big.NewInt(1), ThisUpdate: now, NextUpdate: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if crl, err := x509.ParseRevocationList(der); err != nil || len(crl.RevokedCertificateEntries) != 0 || !crl.NextUpdate.Equal(now.Add(time.Hour)) {
		t.Fatalf("empty CRL: %v, %+v", err, crl)
	}

	for name, req := range map[string]sandboxca.CRLRequest{
		"no number":     {ThisUpdate: now},
		"zero number":   {Number: big.NewInt(0), ThisUpdate: now},
		"no thisUpdate": {Number: big.NewInt(1)},
		"entry unnamed": {Number: big.NewInt(1), ThisUpdate: now, Revoked: []sandboxca.Revoked{{At: now}}},
	} {
		if _, err := ca.CRL(req); err == nil {
			t.Errorf("%s: made a CRL", name)
		}
	}
}

func TestCertificatesNameTheCRL(t *testing.T) {
	ca := loadCA(t)
	plain, err := ca.ClientCertificate(pkix.Name{CommonName: "no crl"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(plain.Leaf.CRLDistributionPoints) != 0 {
		t.Fatalf("a CA without a CRL URL named %v", plain.Leaf.CRLDistributionPoints)
	}
	ca.CRLURL = "http://127.0.0.1:8080/sandbox-ca/crl.der"
	client, err := ca.ClientCertificate(pkix.Name{CommonName: "client"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, _, err := ca.IssueEIDAS(request(sandboxca.KindQWAC))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode([]byte(certPEM))
	qwac, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*x509.Certificate{"client": client.Leaf, "QWAC": qwac} {
		if !slices.Equal(c.CRLDistributionPoints, []string{ca.CRLURL}) {
			t.Errorf("%s names %v, want the CA's CRL", name, c.CRLDistributionPoints)
		}
		if !ca.IssuedBy(c) {
			t.Errorf("%s: IssuedBy is false", name)
		}
	}
	if ca.IssuedBy(loadCA(t).Cert) {
		t.Error("IssuedBy is true for another CA's certificate")
	}
}

func TestReasonNames(t *testing.T) {
	for _, code := range []int{0, 1, 3, 4, 5} {
		if back, ok := sandboxca.ReasonCode(sandboxca.ReasonName(code)); !ok || back != code {
			t.Errorf("reason %d round-trips to %d, %v", code, back, ok)
		}
	}
	if _, ok := sandboxca.ReasonCode("bogus"); ok {
		t.Error("bogus is a reason")
	}
}
