package kmskeys_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/portal/account"
	"github.com/bank/devportal/shared/portal/identity/kmskeys"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// keys are the account keys on moto, created as the local stack creates them.
func keys(t *testing.T) (kmskeys.Vault, kmskeys.PasswordMAC) {
	t.Helper()
	c := testenv.Config(t, testenv.MotoEndpoint(t))
	client := kms.NewFromConfig(testenv.AWS(t, c))
	if err := motoserver.EnsureAccountKeys(context.Background(), client, c); err != nil {
		t.Fatal(err)
	}
	return kmskeys.Vault{Client: client, KeyID: c.SessionKeyID}, kmskeys.PasswordMAC{Client: client, KeyID: c.PasswordKeyID}
}

func TestVault(t *testing.T) {
	vault, _ := keys(t)
	ctx := context.Background()
	tok := account.SessionTokens{Access: "eyJ.access." + strings.Repeat("a", 1200), Refresh: "eyJ.refresh." + strings.Repeat("r", 1800)}
	sealed, err := vault.Seal(ctx, "user-1", tok)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("eyJ.")) {
		t.Fatal("the sealed tokens hold the tokens in the clear")
	}
	again, _ := vault.Seal(ctx, "user-1", tok)
	if bytes.Equal(sealed, again) {
		t.Fatal("two seals of the same tokens are equal: each must have its own data key and nonce")
	}
	got, err := vault.Open(ctx, "user-1", sealed)
	if err != nil || got != tok {
		t.Fatalf("Open = %v, %v", got, err)
	}
	damaged := bytes.Clone(sealed)
	damaged[len(damaged)-1] ^= 1
	for name, c := range map[string]struct {
		user   string
		sealed []byte
	}{
		"another user's session": {"user-2", sealed},
		"a changed ciphertext":   {"user-1", damaged},
		"a cut value":            {"user-1", sealed[:10]},
		"nothing":                {"user-1", nil},
	} {
		if _, err := vault.Open(ctx, c.user, c.sealed); !errors.Is(err, kmskeys.ErrSealed) {
			t.Errorf("%s: Open err = %v, want ErrSealed", name, err)
		}
	}
}

func TestPasswordMAC(t *testing.T) {
	_, mac := keys(t)
	ctx := context.Background()
	a, err := mac.MAC(ctx, "user-1", "Str0ng!Passw0rd")
	if err != nil {
		t.Fatal(err)
	}
	same, _ := mac.MAC(ctx, "user-1", "Str0ng!Passw0rd")
	otherUser, _ := mac.MAC(ctx, "user-2", "Str0ng!Passw0rd")
	otherPassword, _ := mac.MAC(ctx, "user-1", "Str0ng!Passw0re")
	if len(a) != 32 || !bytes.Equal(a, same) || bytes.Equal(a, otherUser) || bytes.Equal(a, otherPassword) {
		t.Fatalf("MACs: %x, again %x, other user %x, other password %x", a, same, otherUser, otherPassword)
	}
}
