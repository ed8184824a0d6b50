// Command password-expiry-reminder is the scheduled function that emails password
// expiry warnings.
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartJob("password-expiry-reminder") }
