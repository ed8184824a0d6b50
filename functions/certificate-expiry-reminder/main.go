// Command certificate-expiry-reminder is the scheduled function that warns organizations
// whose mTLS certificates expire soon.
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartJob("certificate-expiry-reminder") }
