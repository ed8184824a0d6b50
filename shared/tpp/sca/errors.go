package sca

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/bank/devportal/shared/tpp/bgerror"
)

// Refusals of the authorisation rules, with the statuses the Berlin Group gives them.
var (
	// ErrUnknown answers an authorisation ID the resource does not have (or another
	// app's): both look the same.
	ErrUnknown = bgerror.New(http.StatusNotFound, "RESOURCE_UNKNOWN", "The resource has no authorisation with this ID.")
	// ErrExpired answers a step of an authorisation the customer did not finish in time:
	// it failed, and its resource with it.
	ErrExpired = bgerror.New(http.StatusForbidden, "RESOURCE_EXPIRED", fmt.Sprintf("The authorisation was not finished within %d minutes: it failed. Start a new one if the resource still waits.", int(Lifespan.Minutes())))
	// ErrMethodUnknown answers an authenticationMethodId the customer does not have.
	ErrMethodUnknown = bgerror.New(http.StatusBadRequest, "SCA_METHOD_UNKNOWN", "The customer has no SCA method with this authenticationMethodId: choose one of the scaMethods.")
	// ErrConcurrent answers a step that lost to another one on the same authorisation.
	ErrConcurrent = bgerror.New(http.StatusConflict, "STATUS_INVALID", "The authorisation changed at the same time: read its scaStatus.")
	// errPSUID asks for the customer's PSU-ID where a step needs it.
	errPSUID = bgerror.FormatError(bgerror.Field("PSU-ID", "Name the customer: their sign-in name at the bank."))
)

// Refusals of a customer who may not add their authorisation to a resource that needs
// several customers' (a payment from an account with several signatories, multi-level
// SCA). Nothing changes for the resource: it waits for its signatories as before.
var (
	// ErrAlreadySigned: the customer authorised the resource already; another signatory
	// must give the next authorisation.
	ErrAlreadySigned = bgerror.New(http.StatusConflict, "STATUS_INVALID", "This customer already authorised the payment, which needs the authorisations of several distinct signatories of the debtor account: start an authorisation for another signatory. Nothing was changed.")
	// ErrNotSignatory: the customer is not a signatory of the debtor account.
	ErrNotSignatory = bgerror.New(http.StatusUnauthorized, "PSU_CREDENTIALS_INVALID", "This customer is not a signatory of the debtor account and cannot authorise the payment: start an authorisation for one of its signatories. Nothing was changed.")
)

// Reasons the bank's pages cannot let a customer decide an authorisation.
var (
	// ErrNotOpen: the authorisation is final, timed out, or its resource no longer waits.
	ErrNotOpen = errors.New("sca: the authorisation no longer waits for the customer")
	// ErrNotTheirs: the authorisation is not one this customer decides on the page
	// (another customer's decoupled one, or of an approach decided elsewhere).
	ErrNotTheirs = errors.New("sca: the authorisation is not the customer's to decide here")
)

// errCredentials refuses a wrong PSU-ID, password or one-time code; left is how many more
// the authorisation takes (0: it failed).
func errCredentials(what string, left int) error {
	text := fmt.Sprintf("The %s is wrong: %d more attempt(s) before the authorisation fails.", what, left)
	if left == 1 {
		text = fmt.Sprintf("The %s is wrong: one more attempt before the authorisation fails.", what)
	}
	if left <= 0 {
		text = fmt.Sprintf("The %s is wrong, for the %s time: the authorisation failed, and its resource with it.", what, ordinal(MaxFailedAttempts))
	}
	return bgerror.New(http.StatusUnauthorized, "PSU_CREDENTIALS_INVALID", text)
}

// errUnknownPSU refuses a PSU-ID that names no customer, where nothing is counted.
var errUnknownPSU = bgerror.New(http.StatusUnauthorized, "PSU_CREDENTIALS_INVALID", "No customer of the bank has this PSU-ID (sign-in name).")

func ordinal(n int) string {
	switch n {
	case 1:
		return "first"
	case 2:
		return "second"
	case 3:
		return "third"
	}
	return fmt.Sprintf("%dth", n)
}

// errNotWaiting refuses an authorisation of a resource that no longer waits for one.
func errNotWaiting(kind Kind, status string) error {
	what := "The resource"
	switch kind {
	case Payment:
		what = "The payment"
	case PaymentCancellation:
		what = "The payment, whose cancellation this is,"
	case AISConsent, PIISConsent:
		what = "The consent"
	case SigningBasket:
		what = "The signing basket"
	}
	return bgerror.New(http.StatusConflict, "STATUS_INVALID", fmt.Sprintf("%s is %s: there is nothing left to authorise.", what, status))
}

// errInBasket refuses an authorisation of a payment or consent alone while a signing
// basket that waits for its authorisation holds it.
func errInBasket(kind Kind, basketID string) error {
	what := "The payment"
	if kind != Payment {
		what = "The consent"
	}
	return bgerror.New(http.StatusConflict, "STATUS_INVALID", fmt.Sprintf(
		"%s is in the signing basket %s, which waits for its authorisation: authorise the basket, or delete it to authorise this one alone.", what, basketID))
}

// errFinal refuses a step of an authorisation that is finalised or failed.
func errFinal(st Status) error {
	return bgerror.New(http.StatusConflict, "STATUS_INVALID", fmt.Sprintf("The authorisation is %s: there is no step left.", st))
}

// errStep refuses a step the authorisation's status or approach does not take, saying
// what it takes.
func errStep(a Authorisation, want string) error {
	return bgerror.New(http.StatusConflict, "STATUS_INVALID", fmt.Sprintf("The %s authorisation is %s: %s.", a.Approach.Header(), a.Status, want))
}
