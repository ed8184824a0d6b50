// Package replay answers a creation that an app sends again under the X-Request-ID it
// first sent it with, as the first time (the payments' and the signing baskets' rule):
// the same request is answered with the first answer, even once the rules would refuse
// it; another request under a used X-Request-ID is refused. The creation stores its
// record of the X-Request-ID (the request's Hash) with the resource, on condition that the
// X-Request-ID is new, so concurrent duplicates make one resource; this package decides
// the answers around that write.
package replay

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// Hash identifies a decoded request: the SHA-256 of its JSON, hex, so that the same
// request written with other spacing or key order has the same hash.
func Hash(request any) string {
	b, err := json.Marshal(request)
	if err != nil {
		panic("replay: marshal a decoded request: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Creation is one creation of an answer T under an app's X-Request-ID.
type Creation[T any] struct {
	// Hash is the request's (Hash).
	Hash string
	// First reads the record of the X-Request-ID: the hash of the request first sent
	// with it and how to read the first answer; found is false when the app has not
	// used it.
	First func(ctx context.Context) (hash string, answer func(context.Context) (T, error), found bool, err error)
	// Reused answers the X-Request-ID used before for another request.
	Reused error
}

// first is the first answer to this request under its X-Request-ID, if the app sent
// this request with it.
func (c Creation[T]) first(ctx context.Context) (T, bool, error) {
	var zero T
	hash, answer, found, err := c.First(ctx)
	switch {
	case err != nil:
		return zero, false, err
	case !found || hash != c.Hash:
		return zero, false, nil
	}
	a, err := answer(ctx)
	if err != nil {
		return zero, false, err
	}
	return a, true, nil
}

// Refused answers a request the rules refuse with refused: the first answer if the app
// sent this very request with the X-Request-ID before, else refused.
func (c Creation[T]) Refused(ctx context.Context, refused error) (T, error) {
	a, found, err := c.first(ctx)
	switch {
	case err != nil:
		return a, err
	case found:
		return a, nil
	}
	return a, refused
}

// Taken answers a creation whose write found the X-Request-ID taken: the first answer if
// the app sent this very request with it, else Reused.
func (c Creation[T]) Taken(ctx context.Context) (T, error) {
	a, found, err := c.first(ctx)
	switch {
	case err != nil:
		return a, err
	case !found:
		return a, c.Reused
	}
	return a, nil
}
