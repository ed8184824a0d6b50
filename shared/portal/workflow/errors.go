package workflow

import (
	"errors"

	"github.com/bank/devportal/shared/platform/apperr"
)

// ErrDecided means the request's workflow no longer waits: it was decided or expired.
var ErrDecided = apperr.New(apperr.Conflict, "REQUEST_NOT_PENDING", "This request has already been decided or has expired.")

// ErrAlreadyStarted means an execution with the request's name exists already.
var ErrAlreadyStarted = errors.New("workflow: already started")
