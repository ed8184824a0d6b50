// Command password-expiry-reminder is the scheduled function that emails password
// expiry warnings.
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartJob("password-expiry-reminder") }
