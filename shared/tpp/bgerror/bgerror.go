// Package bgerror writes the TPP API's errors as the Berlin Group NextGenPSD2
// specification shapes them: a tppMessages list of category, code and text, with the
// status the specification gives each code.
package bgerror

import (
	"encoding/json"
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
