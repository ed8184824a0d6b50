// Command auth-resend-activation is the Lambda function of the portal route "auth-resend-activation".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("auth-resend-activation") }
