package replay_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/bank/devportal/shared/tpp/replay"
)

var (
	errRefused = errors.New("refused by the rules")
	errReused  = errors.New("X-Request-ID reused")
	errStore   = errors.New("the store failed")
)

// creation is a Creation of a string answer over a record of hash (none when hash is
// ""), whose first answer reads as "first" or fails with readErr.
func creation(hash string, readErr error) replay.Creation[string] {
	return replay.Creation[string]{Hash: replay.Hash(map[string]int{"a": 1, "b": 2}), Reused: errReused,
		First: func(context.Context) (string, func(context.Context) (string, error), bool, error) {
			if hash == "" {
				return "", nil, false, nil
			}
			return hash, func(context.Context) (string, error) { return "first", readErr }, true, nil
		}}
}

// TestCreation: the answers to a refused request and to a taken X-Request-ID, for each
// record the X-Request-ID may have.
func TestCreation(t *testing.T) {
	ctx := context.Background()
	same := replay.Hash(map[string]int{"b": 2, "a": 1})
	for _, c := range []struct {
		name    string
		c       replay.Creation[string]
		refused string
		taken   string
	}{
		{"no record", creation("", nil), "refused by the rules", "X-Request-ID reused"},
		{"the same request", creation(same, nil), "first", "first"},
		{"another request", creation(replay.Hash("other"), nil), "refused by the rules", "X-Request-ID reused"},
		{"the first answer unreadable", creation(same, errStore), "the store failed", "the store failed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			answer := func(a string, err error) string {
				if err != nil {
					return err.Error()
				}
				return a
			}
			if got := answer(c.c.Refused(ctx, errRefused)); got != c.refused {
				t.Errorf("refused: %s, want %s", got, c.refused)
			}
			if got := answer(c.c.Taken(ctx)); got != c.taken {
				t.Errorf("taken: %s, want %s", got, c.taken)
			}
		})
	}
	if got := fmt.Sprint(len(same)); got != "64" {
		t.Errorf("hash length %s", got)
	}
}
