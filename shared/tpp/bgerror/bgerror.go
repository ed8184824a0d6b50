// Package bgerror writes the TPP API's errors as the Berlin Group NextGenPSD2
// specification shapes them: a tppMessages list of category, code and text, with the
// status the specification gives each code.
package bgerror

import (
	"encoding/json"
	"errors"
	"net/http"
)

// TPPMessage is one entry of a Berlin Group error response.
type TPPMessage struct {
	Category string `json:"category"`
	Code     string `json:"code"`
	Text     string `json:"text,omitempty"`
	// Path names the request element in error, where there is one.
	Path string `json:"path,omitempty"`
}

// Response is the Berlin Group error body.
type Response struct {
	TPPMessages []TPPMessage `json:"tppMessages"`
}

// Write answers status with one error message of code and text.
func Write(w http.ResponseWriter, status int, code, text string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Response{TPPMessages: []TPPMessage{{Category: "ERROR", Code: code, Text: text}}})
}

// Error is a refusal the TPP API's rules return: the status and the messages the caller
// is answered with. Handlers write it with WriteError.
type Error struct {
	Status   int
	Messages []TPPMessage
}

// New is a refusal with one message of code and text.
func New(status int, code, text string) *Error {
	return &Error{Status: status, Messages: []TPPMessage{{Category: "ERROR", Code: code, Text: text}}}
}

// FormatError is a 400 FORMAT_ERROR with one message per element in error.
func FormatError(messages ...TPPMessage) *Error {
	return &Error{Status: http.StatusBadRequest, Messages: messages}
}

// Field is a FORMAT_ERROR message naming the request element at path (a JSON path like
// "access.accounts[0].iban", or a header or query parameter name).
func Field(path, text string) TPPMessage {
	return TPPMessage{Category: "ERROR", Code: "FORMAT_ERROR", Path: path, Text: text}
}

// Error is the first message, for logs.
func (e *Error) Error() string {
	if len(e.Messages) == 0 {
		return http.StatusText(e.Status)
	}
	m := e.Messages[0]
	if m.Path != "" {
		return m.Code + " " + m.Path + ": " + m.Text
	}
	return m.Code + ": " + m.Text
}

// Code is the first message's code.
func (e *Error) Code() string {
	if len(e.Messages) == 0 {
		return ""
	}
	return e.Messages[0].Code
}

// WriteError answers err: a *Error (wrapped or not) with its status and messages,
// anything else as a 500 whose cause stays in the log, never in the answer.
func WriteError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		Write(w, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "The request could not be served; try again.")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(Response{TPPMessages: e.Messages})
}
