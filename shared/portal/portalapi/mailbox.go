package portalapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// SentMail is one email as SES (moto) recorded it.
type SentMail struct {
	ID      string   `json:"id"`
	From    string   `json:"from"`
	To      []string `json:"to"`
	Subject string   `json:"subject"`
	// Body is the HTML part.
	Body string `json:"body"`
}

// MailboxResponse lists sent emails, newest first.
type MailboxResponse struct {
	Messages []SentMail `json:"messages"`
}

// MotoMailbox reads the emails SES accepted from moto's model data.
type MotoMailbox struct {
	Endpoint string
	Client   *http.Client
}

// Messages returns the sent emails, newest first.
func (m MotoMailbox) Messages(ctx context.Context) ([]SentMail, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.Endpoint+"/moto-api/data.json", nil)
	if err != nil {
		return nil, err
	}
	client := m.Client
	if client == nil {
		// moto answers data.json from memory; a minute without an answer is a hung moto,
		// which must fail the caller rather than hang it.
		client = &http.Client{Timeout: time.Minute}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("read moto data: %w", err)
	}
	defer resp.Body.Close()
	var data struct {
		SES struct {
			Message []struct {
				ID           string              `json:"id"`
				Source       string              `json:"source"`
				Subject      string              `json:"subject"`
				Body         string              `json:"body"`
				Destinations map[string][]string `json:"destinations"`
			} `json:"Message"`
		} `json:"ses"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&data); err != nil {
		return nil, fmt.Errorf("decode moto data: %w", err)
	}
	out := make([]SentMail, 0, len(data.SES.Message))
	for _, msg := range data.SES.Message {
		to := msg.Destinations["ToAddresses"]
		if to == nil {
			to = []string{}
		}
		out = append(out, SentMail{ID: msg.ID, From: msg.Source, To: to, Subject: msg.Subject, Body: msg.Body})
	}
	slices.Reverse(out)
	return out, nil
}
